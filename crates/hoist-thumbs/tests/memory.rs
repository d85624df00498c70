//! 100-megapixel images decode in bounded memory: baseline JPEG through libjpeg's scaled,
//! row-by-row decode, PNG through the streaming box filter. Peak RSS (VmHWM) is reset with
//! /proc/self/clear_refs before each render, after the test has built its input.
//! One test in its own binary so no other test shares the process.

mod common;

use std::io::Write;

use hoist_thumbs::render;

/// Extra peak memory allowed for rendering a 100 MP image (its pixels alone are 300 MB).
const BUDGET_MB: u64 = 80;

fn vm_hwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

fn vm_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM (Linux >= 4.0)");
}

fn peak_extra_mb(f: impl FnOnce()) -> u64 {
    reset_peak();
    let before = vm_rss_kb();
    f();
    (vm_hwm_kb().saturating_sub(before)) / 1024
}

#[test]
fn hundred_megapixel_images_use_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (w, h) = (12_000u32, 8_400u32); // 100.8 MP

    // PNG, written row by row.
    let png_path = dir.path().join("huge.png");
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&png_path).expect("create"));
        let mut enc = png::Encoder::new(file, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().expect("header");
        let mut stream = writer.stream_writer().expect("stream");
        let row: Vec<u8> = (0..w)
            .flat_map(|x| if x < w / 2 { common::RED } else { common::BLUE })
            .collect();
        for _ in 0..h {
            stream.write_all(&row).expect("row");
        }
        stream.finish().expect("finish");
    }
    let mut thumb = None;
    let extra = peak_extra_mb(|| thumb = Some(render(&png_path, 256).expect("render png")));
    let t = thumb.expect("thumb");
    assert_eq!((t.image.width(), t.image.height()), (256, 179));
    assert_eq!((t.source_width, t.source_height), (w, h));
    common::assert_halves(&t.image);
    eprintln!("100 MP PNG: {extra} MB peak above the baseline");
    assert!(extra < BUDGET_MB, "100 MP PNG took {extra} MB extra");
    std::fs::remove_file(&png_path).expect("rm");

    // Baseline JPEG (grey, to keep the test's own encoding buffer at 100 MB).
    let jpeg_path = dir.path().join("huge.jpg");
    {
        let img =
            image::GrayImage::from_fn(w, h, |x, _| image::Luma([if x < w / 2 { 60 } else { 200 }]));
        let enc = hoist_thumbs::encode(&image::DynamicImage::ImageLuma8(img)).expect("encode");
        std::fs::write(&jpeg_path, enc.bytes).expect("write");
    }
    let mut thumb = None;
    let extra = peak_extra_mb(|| thumb = Some(render(&jpeg_path, 256).expect("render jpeg")));
    let t = thumb.expect("thumb");
    assert_eq!((t.image.width(), t.image.height()), (256, 179));
    let (l, r) = (
        common::pixel(&t.image, 0.2, 0.5),
        common::pixel(&t.image, 0.8, 0.5),
    );
    assert!(l[0] < 100 && r[0] > 160, "{l:?} {r:?}");
    eprintln!("100 MP JPEG: {extra} MB peak above the baseline");
    assert!(extra < BUDGET_MB, "100 MP JPEG took {extra} MB extra");
}
