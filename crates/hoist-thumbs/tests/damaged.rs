//! Damaged, truncated, empty and unsupported files: never a panic, never a stalled pool;
//! either a clean fallback picture (e.g. the EXIF thumbnail) or a type icon with a reason.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use hoist_thumbs::{render_to_file, SourceFormat, ThumbError, ThumbPool};

fn icon_for(path: &Path) -> hoist_thumbs::ThumbInfo {
    let out = tempfile::tempdir().expect("tempdir");
    let info = render_to_file(path, 256, &out.path().join("t")).expect("icon written");
    assert!(info.path.exists(), "a file is always written");
    let img = image::open(&info.path).expect("thumbnail decodes");
    assert_eq!((img.width(), img.height()), (info.width, info.height));
    info
}

fn assert_icon(path: &Path, format: SourceFormat, reason_has: &str) {
    let info = icon_for(path);
    let reason = info.fallback.clone().unwrap_or_default();
    assert!(
        reason.contains(reason_has),
        "{}: reason {reason:?} should mention {reason_has:?}",
        path.display()
    );
    assert_eq!(info.format, format, "{}", path.display());
    assert_eq!((info.width, info.height), (256, 256), "icons are square");
}

/// A truncated JPEG "decodes" (libjpeg fills the missing rows with grey and only warns): that
/// is a broken picture, not a preview. Without another source it gets the icon and the reason.
#[test]
fn truncated_jpeg_is_not_called_ok() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = jpeg_bytes(&halves(800, 600), 90);
    let p = write(dir.path(), "cut.jpg", &full[..full.len() * 6 / 10]);
    let info = icon_for(&p);
    let reason = info.fallback.clone().unwrap_or_default();
    assert!(reason.contains("Premature end"), "reason: {reason:?}");
    assert_eq!(info.fallback_source, None);
}

/// The same cut camera JPEG with an intact EXIF thumbnail: the thumbnail is shown, oriented
/// like the main image, and reported as a fallback source.
#[test]
fn truncated_jpeg_falls_back_to_its_exif_thumbnail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let thumb = jpeg_bytes(&red_corner(160, 120), 90);
    let mut t = TiffBuilder::new(b"II*\0");
    let thumb_off = t.blob(&thumb);
    let ifd1 = t.ifd(
        vec![
            (0x0103, Value::Short(6)),
            (0x0201, Value::Long(thumb_off)),
            (0x0202, Value::Long(thumb.len() as u32)),
        ],
        0,
        false,
    );
    t.ifd(vec![(0x0112, Value::Short(6))], ifd1, true);
    let full = with_exif(&jpeg_bytes(&halves(1600, 1200), 90), &t.data);
    let p = write(dir.path(), "cut-camera.jpg", &full[..full.len() / 2]);
    let out = tempfile::tempdir().expect("tempdir");
    let info = render_to_file(&p, 256, &out.path().join("t")).expect("render");
    assert_eq!(info.fallback, None, "a real picture, not an icon");
    assert_eq!(info.fallback_source.as_deref(), Some("EXIF thumbnail"));
    let img = image::open(&info.path).expect("thumbnail decodes");
    // Orientation 6 turns the 160x120 thumbnail's red top-left corner to the top right.
    assert_eq!((img.width(), img.height()), (120, 160));
    assert!(near(pixel(&img, 0.75, 0.25), RED), "red top-right");
    assert!(near(pixel(&img, 0.25, 0.75), BLUE), "blue bottom-left");
}

#[test]
fn jpeg_cut_inside_the_header_gets_an_icon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = jpeg_bytes(&halves(800, 600), 90);
    let p = write(dir.path(), "head.jpg", &full[..40]);
    assert_icon(&p, SourceFormat::Jpeg, "jpeg");
}

#[test]
fn corrupt_jpeg_scan_data_does_not_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = jpeg_bytes(&halves(800, 600), 90);
    let start = bytes.len() / 3;
    for (i, b) in bytes[start..].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(151).wrapping_add(7);
    }
    let p = write(dir.path(), "noise.jpg", &bytes);
    let info = icon_for(&p);
    assert_eq!(info.format, SourceFormat::Jpeg);
}

#[test]
fn garbage_named_like_an_image_gets_its_family_icon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "holiday.jpg", b"this is not a picture at all");
    assert_icon(&p, SourceFormat::Jpeg, "unknown file type");
    let p = write(dir.path(), "empty.png", b"");
    assert_icon(&p, SourceFormat::Png, "unknown file type");
}

#[test]
fn truncated_png_gets_an_icon() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Big enough for the streaming path, and small for the whole-image path.
    for (w, h) in [(2000, 1500), (100, 80)] {
        let p = dir.path().join(format!("full{w}.png"));
        image::DynamicImage::ImageRgb8(halves(w, h))
            .save(&p)
            .expect("save");
        let bytes = std::fs::read(&p).expect("read");
        let cut = write(
            dir.path(),
            &format!("cut{w}.png"),
            &bytes[..bytes.len() / 2],
        );
        assert_icon(&cut, SourceFormat::Png, "png");
    }
}

#[test]
fn truncated_webp_tiff_gif_get_icons() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, fmt, sf) in [
        ("a.webp", image::ImageFormat::WebP, SourceFormat::Webp),
        ("a.tif", image::ImageFormat::Tiff, SourceFormat::Tiff),
        ("a.gif", image::ImageFormat::Gif, SourceFormat::Gif),
    ] {
        let p = dir.path().join(name);
        image::DynamicImage::ImageRgb8(halves(300, 200))
            .save_with_format(&p, fmt)
            .expect("save");
        let bytes = std::fs::read(&p).expect("read");
        let cut = write(
            dir.path(),
            &format!("cut-{name}"),
            &bytes[..bytes.len() / 3],
        );
        assert_icon(&cut, sf, "");
        assert!(icon_for(&cut).fallback.is_some(), "{name}");
    }
}

#[test]
fn truncated_heic_and_avif_get_icons() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, fmt) in [
        ("sample.heic", SourceFormat::Heif),
        ("sample.avif", SourceFormat::Avif),
    ] {
        let bytes = std::fs::read(fixture(name)).expect("fixture");
        let p = write(dir.path(), name, &bytes[..bytes.len() / 2]);
        assert_icon(&p, fmt, "");
        assert!(icon_for(&p).fallback.is_some());
    }
}

#[test]
fn truncated_video_and_pdf_get_icons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(fixture("sample.mp4")).expect("fixture");
    let p = write(dir.path(), "clip.mp4", &bytes[..300]);
    assert_icon(&p, SourceFormat::Video, "");
    let p = write(dir.path(), "doc.pdf", b"%PDF-1.4\n1 0 obj garbage\n");
    assert_icon(&p, SourceFormat::Pdf, "");
}

#[test]
fn raw_without_preview_and_broken_svg_get_icons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut t = TiffBuilder::new(b"II*\0");
    t.ifd(vec![(0x010F, Value::Ascii("NIKON".into()))], 0, true);
    let p = write(dir.path(), "x.nef", &t.data);
    assert_icon(&p, SourceFormat::Raw, "LibRaw");
    let p = write(
        dir.path(),
        "x.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><rect",
    );
    assert_icon(&p, SourceFormat::Svg, "svg");
}

#[test]
fn unknown_types_get_the_generic_icon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "notes.xyz", b"\x00\x01\x02 binary");
    assert_icon(&p, SourceFormat::Unknown, "unknown file type");
}

#[test]
fn missing_file_is_an_error_not_an_icon() {
    let err = render_to_file(Path::new("/nonexistent/a.jpg"), 256, Path::new("/tmp/x"));
    assert!(matches!(err, Err(ThumbError::Io { .. })), "{err:?}");
}

#[test]
fn pool_survives_a_mix_of_bad_and_good_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = jpeg_bytes(&halves(400, 300), 85);
    let mut files = Vec::new();
    for i in 0..8 {
        files.push(write(dir.path(), &format!("good{i}.jpg"), &good));
        files.push(write(dir.path(), &format!("bad{i}.jpg"), &good[..30]));
        files.push(write(
            dir.path(),
            &format!("junk{i}.heic"),
            b"\0\0\0\x18ftypheic junk",
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let pool = Arc::new(ThumbPool::new(2));
    let results = rt.block_on(async {
        let tasks: Vec<_> = files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (pool, f, stem) = (pool.clone(), f.clone(), out.join(i.to_string()));
                tokio::spawn(async move { pool.export(f, 128, stem).await })
            })
            .collect();
        tokio::time::timeout(Duration::from_secs(60), async {
            let mut v = Vec::new();
            for t in tasks {
                v.push(t.await.expect("task"));
            }
            v
        })
        .await
        .expect("pool must not stall")
    });
    let ok = results
        .iter()
        .filter(|r| matches!(r, Ok(i) if i.fallback.is_none()))
        .count();
    let icons = results
        .iter()
        .filter(|r| matches!(r, Ok(i) if i.fallback.is_some()))
        .count();
    assert_eq!((ok, icons), (8, 16));
}
