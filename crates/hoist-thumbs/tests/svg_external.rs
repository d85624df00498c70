//! A crafted SVG must not make the thumbnailer read other files: library
//! previews are SVGs a server sent. Embedded (`data:`) images still render.

mod common;

use common::*;
use hoist_thumbs::render;
use image::{DynamicImage, ImageFormat};
use std::io::Cursor;

/// A colour no test drawing uses: its presence means the file was read.
const MAGENTA: [u8; 3] = [250, 0, 250];

fn png_bytes(c: [u8; 3]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(solid(64, 64, c))
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode png");
    out.into_inner()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[test]
fn an_svg_cannot_pull_in_a_local_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = write(dir.path(), "secret.png", &png_bytes(MAGENTA));
    let secret = secret.to_string_lossy();
    let embedded = base64(&png_bytes(GREEN));
    // Left half: an embedded image (must render). Right half: the local
    // file, named three ways (href, xlink:href, a nested SVG that names it).
    let nested = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{secret}" width="10" height="10"/></svg>"#
    );
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">
          <rect width="200" height="100" fill="white"/>
          <image x="0" y="0" width="100" height="100" href="data:image/png;base64,{embedded}"/>
          <image x="100" y="0" width="100" height="50" href="{secret}"/>
          <image x="100" y="50" width="50" height="50" xlink:href="{secret}"/>
          <image x="150" y="50" width="50" height="50" href="data:image/svg+xml;base64,{}"/>
        </svg>"#,
        base64(nested.as_bytes())
    );
    let p = write(dir.path(), "crafted.svg", svg.as_bytes());
    let r = render(&p, 256).expect("render");
    assert!(
        near(pixel(&r.image, 0.25, 0.5), GREEN),
        "the embedded image renders: {:?}",
        pixel(&r.image, 0.25, 0.5)
    );
    let rgb = r.image.to_rgb8();
    let leaked = rgb
        .pixels()
        .filter(|p| near([p[0], p[1], p[2]], MAGENTA))
        .count();
    assert_eq!(leaked, 0, "pixels of the local file reached the thumbnail");
    assert!(near(pixel(&r.image, 0.75, 0.25), [255, 255, 255]));
}
