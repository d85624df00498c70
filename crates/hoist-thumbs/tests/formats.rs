//! One test per format: each builds (or loads a committed, self-made fixture of) a small file
//! with known content and checks size, colour placement, orientation and metadata.

mod common;

use common::*;
use hoist_thumbs::{render, SourceFormat};
use image::{DynamicImage, ImageFormat, RgbaImage};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn jpeg_uses_exif_orientation_and_metadata() {
    let dir = tmp();
    let jpeg = jpeg_bytes(&red_corner(1600, 1200), 90);
    let exif = exif_tiff(6, "Canon", "Canon EOS R5", "2024:05:01 12:34:56");
    let p = write(dir.path(), "photo.jpg", &with_exif(&jpeg, &exif));
    let r = render(&p, 256).expect("render");
    assert_eq!(r.format, SourceFormat::Jpeg);
    // Orientation 6 = rotate 90 clockwise: portrait, red corner now top-right.
    assert_eq!((r.image.width(), r.image.height()), (192, 256));
    assert_eq!((r.source_width, r.source_height), (1200, 1600));
    assert!(near(pixel(&r.image, 0.75, 0.25), RED), "red top-right");
    assert!(near(pixel(&r.image, 0.25, 0.25), BLUE), "blue top-left");
    assert_eq!(r.meta.orientation, 6);
    assert_eq!(r.meta.camera.as_deref(), Some("Canon EOS R5"));
    assert_eq!(r.meta.taken_at.as_deref(), Some("2024-05-01T12:34:56"));
}

#[test]
fn jpeg_grayscale_and_small_images_are_not_enlarged() {
    let dir = tmp();
    let gray = DynamicImage::ImageRgb8(halves(120, 80)).to_luma8();
    let p = dir.path().join("gray.jpg");
    DynamicImage::ImageLuma8(gray)
        .save_with_format(&p, ImageFormat::Jpeg)
        .expect("save");
    let r = render(&p, 256).expect("render");
    assert_eq!((r.image.width(), r.image.height()), (120, 80));
    let (l, rr) = (pixel(&r.image, 0.2, 0.5), pixel(&r.image, 0.8, 0.5));
    assert!(l[0] > rr[0] + 10, "left brighter in gray: {l:?} vs {rr:?}");
}

fn raster_roundtrip(name: &str, format: ImageFormat, expect: SourceFormat) {
    let dir = tmp();
    let p = dir.path().join(name);
    DynamicImage::ImageRgb8(halves(600, 400))
        .save_with_format(&p, format)
        .expect("save");
    let r = render(&p, 256).expect("render");
    assert_eq!(r.format, expect);
    assert_eq!((r.image.width(), r.image.height()), (256, 171));
    assert_eq!((r.source_width, r.source_height), (600, 400));
    assert_halves(&r.image);
}

#[test]
fn png() {
    raster_roundtrip("a.png", ImageFormat::Png, SourceFormat::Png);
}

#[test]
fn webp() {
    raster_roundtrip("a.webp", ImageFormat::WebP, SourceFormat::Webp);
}

#[test]
fn tiff() {
    raster_roundtrip("a.tif", ImageFormat::Tiff, SourceFormat::Tiff);
}

#[test]
fn bmp() {
    raster_roundtrip("a.bmp", ImageFormat::Bmp, SourceFormat::Bmp);
}

#[test]
fn gif_uses_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame};
    let dir = tmp();
    let p = dir.path().join("anim.gif");
    {
        let f = std::fs::File::create(&p).expect("create");
        let mut enc = GifEncoder::new(f);
        for img in [halves(300, 200), solid(300, 200, GREEN)] {
            let rgba = DynamicImage::ImageRgb8(img).to_rgba8();
            enc.encode_frame(Frame::from_parts(
                rgba,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .expect("frame");
        }
    }
    let r = render(&p, 256).expect("render");
    assert_eq!(r.format, SourceFormat::Gif);
    assert_eq!((r.image.width(), r.image.height()), (256, 171));
    assert_halves(&r.image);
}

#[test]
fn large_png_streams_and_keeps_transparency() {
    let dir = tmp();
    let p = dir.path().join("cutout.png");
    let img = RgbaImage::from_fn(3000, 2000, |x, _| {
        if x < 1500 {
            image::Rgba([RED[0], RED[1], RED[2], 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    img.save_with_format(&p, ImageFormat::Png).expect("save");
    let r = render(&p, 256).expect("render");
    assert_eq!((r.image.width(), r.image.height()), (256, 171));
    let rgba = r.image.to_rgba8();
    let left = rgba.get_pixel(40, 80).0;
    let right = rgba.get_pixel(220, 80).0;
    assert!(
        left[3] == 255 && near([left[0], left[1], left[2]], RED),
        "{left:?}"
    );
    assert_eq!(right[3], 0, "transparent side stays transparent");
    let encoded = hoist_thumbs::encode(&r.image).expect("encode");
    assert_eq!(encoded.ext, "png", "transparency is kept as PNG");
}

#[test]
fn svg() {
    let dir = tmp();
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">
        <rect width="100" height="100" fill="rgb(220,20,20)"/>
        <rect x="100" width="100" height="100" fill="rgb(20,20,220)"/></svg>"#;
    let p = write(dir.path(), "logo.svg", svg.as_bytes());
    let r = render(&p, 256).expect("render");
    assert_eq!(r.format, SourceFormat::Svg);
    assert_eq!(
        (r.image.width(), r.image.height()),
        (256, 128),
        "vectors fill the box"
    );
    assert_eq!((r.source_width, r.source_height), (200, 100));
    assert_halves(&r.image);
}

#[test]
fn heic() {
    let r = render(&fixture("sample.heic"), 256).expect("render");
    assert_eq!(r.format, SourceFormat::Heif);
    assert_eq!((r.image.width(), r.image.height()), (64, 48));
    assert_halves(&r.image);
}

#[test]
fn avif() {
    let r = render(&fixture("sample.avif"), 256).expect("render");
    assert_eq!(r.format, SourceFormat::Avif);
    assert_eq!((r.image.width(), r.image.height()), (64, 48));
    assert_halves(&r.image);
}

#[test]
fn pdf_first_page() {
    assert!(
        have("pdftoppm"),
        "poppler-utils is in scripts/apt-packages.txt"
    );
    let r = render(&fixture("sample.pdf"), 256).expect("render");
    assert_eq!(r.format, SourceFormat::Pdf);
    assert_eq!((r.image.width(), r.image.height()), (256, 128));
    assert_eq!((r.source_width, r.source_height), (200, 100));
    assert_halves(&r.image);
}

fn video(name: &str) -> hoist_thumbs::Rendered {
    assert!(have("ffmpeg"), "ffmpeg is in scripts/apt-packages.txt");
    let r = render(&fixture(name), 256).expect("render");
    assert_eq!(r.format, SourceFormat::Video);
    r
}

#[test]
fn video_mp4_mov_webm() {
    for name in ["sample.mp4", "sample.mov", "sample.webm"] {
        let r = video(name);
        assert_eq!((r.image.width(), r.image.height()), (64, 48), "{name}");
        assert_eq!((r.source_width, r.source_height), (64, 48), "{name}");
        assert_halves(&r.image);
    }
    assert_eq!(
        video("sample.mov").meta.taken_at.as_deref(),
        Some("2024-05-01T12:34:56")
    );
}

#[test]
fn video_rotation_matrix_is_applied() {
    let r = video("sample-rotated.mp4");
    assert_eq!((r.image.width(), r.image.height()), (48, 64));
    assert_eq!((r.source_width, r.source_height), (48, 64));
    let (top, bottom) = (pixel(&r.image, 0.5, 0.2), pixel(&r.image, 0.5, 0.8));
    assert!(
        (near(top, RED) && near(bottom, BLUE)) || (near(top, BLUE) && near(bottom, RED)),
        "halves now stacked vertically: {top:?} {bottom:?}"
    );
}

#[test]
fn jpeg_exif_orientations_1_to_8() {
    let dir = tmp();
    let jpeg = jpeg_bytes(&red_corner(800, 600), 90);
    // Where the stored top-left red quadrant ends up, and whether the axes swap.
    let expect = [
        (1, (0.25, 0.25), false),
        (2, (0.75, 0.25), false),
        (3, (0.75, 0.75), false),
        (4, (0.25, 0.75), false),
        (5, (0.25, 0.25), true),
        (6, (0.75, 0.25), true),
        (7, (0.75, 0.75), true),
        (8, (0.25, 0.75), true),
    ];
    for (o, (fx, fy), swap) in expect {
        let exif = exif_tiff(o, "Canon", "Canon EOS R5", "2024:05:01 12:34:56");
        let p = write(dir.path(), &format!("o{o}.jpg"), &with_exif(&jpeg, &exif));
        let r = render(&p, 256).expect("render");
        let dims = if swap { (192, 256) } else { (256, 192) };
        assert_eq!((r.image.width(), r.image.height()), dims, "orientation {o}");
        let red = pixel(&r.image, fx, fy);
        assert!(
            near(red, RED),
            "orientation {o}: red at ({fx},{fy}), got {red:?}"
        );
        let other = pixel(&r.image, 1.0 - fx, 1.0 - fy);
        assert!(
            near(other, BLUE),
            "orientation {o}: blue opposite, got {other:?}"
        );
    }
}
