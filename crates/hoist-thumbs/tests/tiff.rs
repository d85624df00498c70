//! TIFF through libtiff: every common compression and layout, written by libtiff's own
//! `tiffcp` (Debian `libtiff-tools`) from a picture made here, plus the Orientation tag
//! (set with `tiffset`) and multi-page files. Each check looks at pixels, not only sizes.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use hoist_thumbs::{render, SourceFormat};
use image::{DynamicImage, ImageFormat};

/// An uncompressed RGB TIFF with a red top-left quadrant on blue.
fn source(dir: &Path) -> PathBuf {
    let p = dir.join("src.tif");
    DynamicImage::ImageRgb8(red_corner(600, 400))
        .save_with_format(&p, ImageFormat::Tiff)
        .expect("save");
    p
}

fn tiffcp(dir: &Path, input: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut all: Vec<&str> = args.to_vec();
    let (i, o) = (input.to_str().expect("utf8"), out.to_str().expect("utf8"));
    all.extend([i, o]);
    run_tool("tiffcp", &all);
    out
}

fn assert_red_corner(name: &str, img: &DynamicImage) {
    let (tl, br) = (pixel(img, 0.2, 0.2), pixel(img, 0.8, 0.8));
    assert!(near(tl, RED), "{name}: top-left should be red, got {tl:?}");
    assert!(
        near(br, BLUE),
        "{name}: bottom-right should be blue, got {br:?}"
    );
    let tr = pixel(img, 0.8, 0.2);
    assert!(
        near(tr, BLUE),
        "{name}: top-right should be blue, got {tr:?}"
    );
}

#[test]
fn every_colour_compression_and_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = source(dir.path());
    let cases: &[(&str, &[&str])] = &[
        ("none.tif", &["-c", "none"]),
        ("lzw.tif", &["-c", "lzw"]),
        ("deflate.tif", &["-c", "zip"]),
        ("packbits.tif", &["-c", "packbits"]),
        // tiffcp's JPEG default is YCbCr with subsampling, in strips.
        ("jpeg-ycbcr.tif", &["-c", "jpeg:90", "-r", "16"]),
        ("jpeg-rgb.tif", &["-c", "jpeg:r:90", "-r", "32"]),
        (
            "tiled-lzw.tif",
            &["-c", "lzw", "-t", "-w", "128", "-l", "128"],
        ),
        ("planar-lzw.tif", &["-c", "lzw", "-p", "separate"]),
        (
            "tiled-planar-lzw.tif",
            &["-c", "lzw", "-p", "separate", "-t", "-w", "64", "-l", "64"],
        ),
        (
            "planar-deflate-strips.tif",
            &["-c", "zip", "-p", "separate", "-r", "7"],
        ),
    ];
    for (name, args) in cases {
        let p = tiffcp(dir.path(), &src, name, args);
        let r = render(&p, 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.format, SourceFormat::Tiff, "{name}");
        assert_eq!((r.image.width(), r.image.height()), (256, 171), "{name}");
        assert_eq!((r.source_width, r.source_height), (600, 400), "{name}");
        assert_red_corner(name, &r.image);
    }
}

/// A 1-bit fax-style page (WhiteIsZero): a black left half on white.
fn bilevel(dir: &Path) -> PathBuf {
    let (w, h) = (256u32, 128u32);
    let row: Vec<u8> = (0..w / 8)
        .map(|i| if i < w / 16 { 0xFF } else { 0 })
        .collect();
    let strip: Vec<u8> = (0..h).flat_map(|_| row.clone()).collect();
    let mut t = TiffBuilder::new(b"II*\0");
    let off = t.blob(&strip);
    t.ifd(
        vec![
            (256, Value::Long(w)),
            (257, Value::Long(h)),
            (258, Value::Short(1)),
            (259, Value::Short(1)),
            (262, Value::Short(0)),
            (273, Value::Long(off)),
            (277, Value::Short(1)),
            (278, Value::Long(h)),
            (279, Value::Long(strip.len() as u32)),
        ],
        0,
        true,
    );
    write(dir, "fax.tif", &t.data)
}

#[test]
fn ccitt_g3_and_g4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = bilevel(dir.path());
    for (name, c) in [("g3.tif", "g3"), ("g4.tif", "g4")] {
        let p = tiffcp(dir.path(), &src, name, &["-c", c]);
        let r = render(&p, 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((r.image.width(), r.image.height()), (256, 128), "{name}");
        let (l, rt) = (pixel(&r.image, 0.2, 0.5), pixel(&r.image, 0.8, 0.5));
        assert!(l.iter().all(|&v| v < 40), "{name}: left black, got {l:?}");
        assert!(
            rt.iter().all(|&v| v > 215),
            "{name}: right white, got {rt:?}"
        );
    }
}

#[test]
fn multi_page_shows_the_first_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = source(dir.path());
    let second = dir.path().join("green.tif");
    DynamicImage::ImageRgb8(solid(300, 300, GREEN))
        .save_with_format(&second, ImageFormat::Tiff)
        .expect("save");
    let out = dir.path().join("pages.tif");
    run_tool(
        "tiffcp",
        &[
            "-c",
            "lzw",
            first.to_str().expect("utf8"),
            second.to_str().expect("utf8"),
            out.to_str().expect("utf8"),
        ],
    );
    let r = render(&out, 256).expect("render");
    assert_eq!((r.source_width, r.source_height), (600, 400));
    assert_red_corner("pages.tif", &r.image);
}

#[test]
fn orientation_tag_1_to_8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = source(dir.path());
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
        let name = format!("o{o}.tif");
        let p = tiffcp(dir.path(), &src, &name, &["-c", "lzw"]);
        run_tool(
            "tiffset",
            &["-s", "274", &o.to_string(), p.to_str().expect("utf8")],
        );
        let r = render(&p, 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dims = if swap { (171, 256) } else { (256, 171) };
        assert_eq!((r.image.width(), r.image.height()), dims, "{name}");
        assert_eq!(r.meta.orientation, o, "{name}");
        let red = pixel(&r.image, fx, fy);
        assert!(near(red, RED), "{name}: red at ({fx},{fy}), got {red:?}");
        let other = pixel(&r.image, 1.0 - fx, 1.0 - fy);
        assert!(near(other, BLUE), "{name}: blue opposite, got {other:?}");
    }
}
