//! Camera RAW previews through LibRaw. The files are small but real DNGs, built here: a 64x64
//! 16-bit CFA raw image (so LibRaw accepts the file), a large JPEG preview in a SubIFD and a
//! small JPEG thumbnail in IFD0, with the orientation in IFD0. The previews differ in colour
//! so each test can tell which one was shown.

mod common;

use common::*;
use hoist_thumbs::{render, render_to_file, SourceFormat};

/// Large preview: red top-left quadrant on blue.
fn big_preview() -> Vec<u8> {
    jpeg_bytes(&red_corner(1024, 683), 85)
}

/// Small thumbnail: red top-left quadrant on green.
fn small_thumb() -> Vec<u8> {
    let img = image::RgbImage::from_fn(160, 107, |x, y| {
        image::Rgb(if x < 80 && y < 53 { RED } else { GREEN })
    });
    jpeg_bytes(&img, 90)
}

fn jpeg_ifd(w: u32, h: u32, subfile: u32, off: u32, len: u32) -> Vec<(u16, Value)> {
    vec![
        (0x00FE, Value::Long(subfile)),
        (0x0100, Value::Long(w)),
        (0x0101, Value::Long(h)),
        (0x0102, Value::Shorts(vec![8, 8, 8])),
        (0x0103, Value::Short(7)),
        (0x0106, Value::Short(6)),
        (0x0111, Value::Long(off)),
        (0x0115, Value::Short(3)),
        (0x0116, Value::Long(h)),
        (0x0117, Value::Long(len)),
    ]
}

/// A DNG with `big` as its SubIFD preview (declared 1024x683) and `small` in IFD0.
fn dng(big: &[u8], small: &[u8], orientation: u16) -> Vec<u8> {
    let mut t = TiffBuilder::new(b"II*\0");
    let (w, h) = (64u32, 64u32);
    let sensor: Vec<u8> = (0..w * h)
        .flat_map(|i| (1000 + (i * 37 % 3000) as u16).to_le_bytes())
        .collect();
    let raw_off = t.blob(&sensor);
    let big_off = t.blob(big);
    let small_off = t.blob(small);
    let raw_ifd = t.ifd(
        vec![
            (0x00FE, Value::Long(0)),
            (0x0100, Value::Long(w)),
            (0x0101, Value::Long(h)),
            (0x0102, Value::Short(16)),
            (0x0103, Value::Short(1)),
            (0x0106, Value::Short(32803)),
            (0x0111, Value::Long(raw_off)),
            (0x0115, Value::Short(1)),
            (0x0116, Value::Long(h)),
            (0x0117, Value::Long(sensor.len() as u32)),
            (33421, Value::Shorts(vec![2, 2])),
            (33422, Value::Bytes(vec![0, 1, 1, 2])),
        ],
        0,
        false,
    );
    let preview_ifd = t.ifd(jpeg_ifd(1024, 683, 1, big_off, big.len() as u32), 0, false);
    let mut ifd0 = jpeg_ifd(160, 107, 1, small_off, small.len() as u32);
    ifd0.extend([
        (0x010F, Value::Ascii("Canon".into())),
        (0x0110, Value::Ascii("Canon EOS R5".into())),
        (0x0112, Value::Short(orientation)),
        (0x0132, Value::Ascii("2023:07:14 09:08:07".into())),
        (0x014A, Value::Longs(vec![raw_ifd, preview_ifd])),
        (50706, Value::Bytes(vec![1, 4, 0, 0])),
        (50708, Value::Ascii("Canon EOS R5".into())),
    ]);
    t.ifd(ifd0, 0, true);
    t.data
}

#[test]
fn libraw_preview_with_orientation_and_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(
        dir.path(),
        "IMG_0001.dng",
        &dng(&big_preview(), &small_thumb(), 8),
    );
    let r = render(&p, 256).expect("render");
    assert_eq!(r.format, SourceFormat::Raw);
    assert_eq!(r.source, None, "the large preview itself");
    assert_eq!(r.meta.camera.as_deref(), Some("Canon EOS R5"));
    assert_eq!(r.meta.taken_at.as_deref(), Some("2023-07-14T09:08:07"));
    assert_eq!(r.meta.orientation, 8);
    // Orientation 8 = rotate 270 clockwise: the red top-left corner goes bottom-left.
    assert_eq!((r.image.width(), r.image.height()), (171, 256));
    assert!(near(pixel(&r.image, 0.25, 0.75), RED), "red bottom-left");
    assert!(near(pixel(&r.image, 0.75, 0.25), BLUE), "blue elsewhere");
}

#[test]
fn truncated_large_preview_falls_back_to_the_intact_thumbnail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = big_preview();
    let cut = &big[..big.len() * 6 / 10];
    let p = write(dir.path(), "IMG_0002.dng", &dng(cut, &small_thumb(), 6));
    let out = tempfile::tempdir().expect("tempdir");
    let info = render_to_file(&p, 256, &out.path().join("t")).expect("render");
    assert_eq!(info.fallback, None, "a picture, not an icon");
    assert_eq!(
        info.fallback_source.as_deref(),
        Some("embedded preview 160x107")
    );
    let img = image::open(&info.path).expect("thumbnail");
    // The small thumbnail (green), rotated 90 clockwise: red corner top-right.
    assert_eq!((img.width(), img.height()), (107, 160));
    assert!(near(pixel(&img, 0.75, 0.2), RED), "red top-right");
    assert!(near(pixel(&img, 0.25, 0.75), GREEN), "green, not grey");
}

#[test]
fn every_preview_broken_gives_an_icon_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = big_preview();
    let small = small_thumb();
    let p = write(
        dir.path(),
        "IMG_0003.dng",
        &dng(&big[..big.len() / 2], &small[..small.len() / 2], 1),
    );
    let out = tempfile::tempdir().expect("tempdir");
    let info = render_to_file(&p, 256, &out.path().join("t")).expect("render");
    let reason = info.fallback.unwrap_or_default();
    assert!(reason.contains("damaged data"), "reason: {reason:?}");
    assert_eq!(info.format, SourceFormat::Raw);
}

#[test]
fn x3f_is_not_claimed() {
    // Debian's LibRaw has no X3F support: the extension is not in the RAW list.
    assert_eq!(
        hoist_thumbs::detect(std::path::Path::new("a.x3f"), b"FOVb"),
        SourceFormat::Unknown
    );
}
