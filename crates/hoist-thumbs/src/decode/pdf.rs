//! PDF: the first page rendered by poppler's `pdftoppm` (Debian `poppler-utils`), out of
//! process with a deadline; page size from `pdfinfo`.

use std::ffi::OsStr;
use std::path::Path;

use image::DynamicImage;

use super::Decoded;
use crate::error::ThumbError;
use crate::meta::CaptureMeta;
use crate::process::{parse_ppm, path_arg, run};

/// Page size in points (1/72 inch) from `pdfinfo`'s "Page size: 612 x 792 pts" line.
fn page_size(path: &Path) -> Option<(u32, u32)> {
    let p = path_arg(path);
    let out = run(
        "pdfinfo",
        &[
            OsStr::new("-f"),
            OsStr::new("1"),
            OsStr::new("-l"),
            OsStr::new("1"),
            &p,
        ],
    )
    .ok()?;
    let text = String::from_utf8_lossy(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("Page") && l.contains("size:"))?;
    let rest = line.split("size:").nth(1)?;
    let mut nums = rest
        .split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok());
    Some((nums.next()?.round() as u32, nums.next()?.round() as u32))
}

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let edge = target.saturating_mul(2).max(16).to_string();
    let p = path_arg(path);
    let out = run(
        "pdftoppm",
        &[
            OsStr::new("-f"),
            OsStr::new("1"),
            OsStr::new("-l"),
            OsStr::new("1"),
            OsStr::new("-singlefile"),
            OsStr::new("-scale-to"),
            OsStr::new(&edge),
            &p,
        ],
    )?;
    let page = parse_ppm(&out).ok_or_else(|| ThumbError::decode("pdf", "no page rendered"))?;
    let (sw, sh) = page_size(path).unwrap_or(page.dimensions());
    Ok(Decoded {
        image: DynamicImage::ImageRgb8(page),
        source_width: sw,
        source_height: sh,
        meta: CaptureMeta {
            orientation: 1,
            ..Default::default()
        },
        apply_orientation: 1,
        source: None,
    })
}
