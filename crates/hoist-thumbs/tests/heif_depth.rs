//! 10-bit HEIF and AVIF, SDR and HDR (PQ, HLG), written here by `heif-enc`
//! (libheif-examples) and `avifenc` (libavif-bin) from 16-bit PNGs made by the test.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use hoist_thumbs::{render, SourceFormat};
use image::{ImageBuffer, Rgb};

/// A 16-bit PNG: left half `left`, right half `right` (signal values 0..1).
fn png16(dir: &Path, name: &str, w: u32, h: u32, left: [f32; 3], right: [f32; 3]) -> PathBuf {
    let q = |c: [f32; 3]| Rgb(c.map(|v| (v * 65535.0).round() as u16));
    let img: ImageBuffer<Rgb<u16>, Vec<u16>> =
        ImageBuffer::from_fn(w, h, |x, _| if x < w / 2 { q(left) } else { q(right) });
    let p = dir.join(name);
    img.save(&p).expect("save png");
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

const RED_SIGNAL: [f32; 3] = [0.86, 0.08, 0.08];
const BLUE_SIGNAL: [f32; 3] = [0.08, 0.08, 0.86];

#[test]
fn ten_bit_heic_primary_and_thumbnail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = png16(dir.path(), "h.png", 512, 384, RED_SIGNAL, BLUE_SIGNAL);
    let out = dir.path().join("h10.heic");
    run_tool(
        "heif-enc",
        &["-b", "10", "-t", "160", "-q", "90", s(&png), "-o", s(&out)],
    );
    // 256 px: the primary image; 64 px: the 160 px thumbnail (same frame, decodes cleanly).
    for (size, dims) in [(256, (256, 192)), (64, (64, 48))] {
        let r = render(&out, size).expect("render");
        assert_eq!(r.format, SourceFormat::Heif);
        assert_eq!((r.image.width(), r.image.height()), dims);
        assert_eq!((r.source_width, r.source_height), (512, 384));
        assert_halves(&r.image);
    }
}

fn avif(dir: &Path, name: &str, cicp: &str, left: [f32; 3], right: [f32; 3]) -> PathBuf {
    let png = png16(dir, &format!("{name}.png"), 128, 96, left, right);
    let out = dir.join(name);
    run_tool(
        "avifenc",
        &[
            "-d",
            "10",
            "-y",
            "444",
            "--cicp",
            cicp,
            "--min",
            "0",
            "--max",
            "4",
            s(&png),
            s(&out),
        ],
    );
    out
}

#[test]
fn ten_bit_sdr_avif() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = avif(dir.path(), "sdr.avif", "1/13/1", RED_SIGNAL, BLUE_SIGNAL);
    let r = render(&p, 256).expect("render");
    assert_eq!(r.format, SourceFormat::Avif);
    assert_eq!((r.image.width(), r.image.height()), (128, 96));
    assert_halves(&r.image);
}

/// HDR reference white (203 nits: PQ code 0.58, HLG code 0.75) must come out as SDR white,
/// not as the mid grey its code value would give if shown as is; black stays black.
#[test]
fn pq_and_hlg_avif_are_tone_mapped() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, cicp, white) in [("pq.avif", "9/16/9", 0.58), ("hlg.avif", "9/18/9", 0.75)] {
        let p = avif(dir.path(), name, cicp, [white; 3], [0.0; 3]);
        let r = render(&p, 256).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (l, rt) = (pixel(&r.image, 0.25, 0.5), pixel(&r.image, 0.75, 0.5));
        assert!(
            l.iter().all(|&c| c > 225),
            "{name}: reference white should be white, got {l:?}"
        );
        let spread = l.iter().max().unwrap_or(&0) - l.iter().min().unwrap_or(&0);
        assert!(spread < 12, "{name}: white stays neutral, got {l:?}");
        assert!(
            rt.iter().all(|&c| c < 20),
            "{name}: black stays black, got {rt:?}"
        );
    }
}
