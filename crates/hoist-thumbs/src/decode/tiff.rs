//! TIFF through libtiff (`native/tiff_shim.c`): every common compression and layout, first
//! page, read band by band and box-reduced on the fly to about twice the thumbnail size, so
//! memory stays at one band plus the reduced image whatever the TIFF's size. The Orientation
//! tag is applied afterwards like an EXIF orientation.

use std::path::Path;

use image::{DynamicImage, RgbImage, RgbaImage};

use super::{min_scale, Decoded, MAX_ALLOC};
use crate::error::ThumbError;
use crate::ffi::tiff::Tiff;
use crate::meta::{self, CaptureMeta};

/// Largest band buffer (rows of RGBA words) read at once.
const MAX_BAND: u64 = 64 << 20;

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let err = |e: String| ThumbError::decode("tiff", e);
    let mut t = Tiff::open(path, MAX_ALLOC, MAX_BAND).map_err(err)?;
    let (w, h) = (t.width, t.height);
    if w == 0 || h == 0 {
        return Err(err("empty image".into()));
    }
    // Box factor: keep at least twice the target, as the other decoders do.
    let f = ((1.0 / min_scale(w, h, target)).floor() as u32).max(1);
    let (ow, oh) = (w.div_ceil(f), h.div_ceil(f));
    if (ow as u64) * (oh as u64) * 4 > MAX_ALLOC {
        return Err(ThumbError::TooLarge {
            width: w,
            height: h,
        });
    }
    let band = t.band;
    let mut raster = vec![0u32; w as usize * band as usize];
    let mut out = vec![0u8; ow as usize * oh as usize * 4];
    let mut acc = vec![0u32; ow as usize * 4];
    let mut acc_rows = 0u32;
    let mut row = 0u32;
    while row < h {
        let rows = band.min(h - row);
        t.read(row, rows, &mut raster).map_err(err)?;
        for r in 0..rows {
            let line = &raster[r as usize * w as usize..(r as usize + 1) * w as usize];
            for (x, px) in line.iter().enumerate() {
                let o = (x / f as usize) * 4;
                // TIFFGetR/G/B/A: R in the low byte.
                acc[o] += px & 0xff;
                acc[o + 1] += (px >> 8) & 0xff;
                acc[o + 2] += (px >> 16) & 0xff;
                acc[o + 3] += px >> 24;
            }
            acc_rows += 1;
            let y = row + r;
            if acc_rows == f || y + 1 == h {
                flush(&mut acc, acc_rows, w, f, &mut out, (y / f) as usize);
                acc_rows = 0;
            }
        }
        row += rows;
    }
    let opaque = out.chunks_exact(4).all(|p| p[3] == 255);
    let image = if opaque {
        let rgb: Vec<u8> = out
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        RgbImage::from_raw(ow, oh, rgb).map(DynamicImage::ImageRgb8)
    } else {
        RgbaImage::from_raw(ow, oh, out).map(DynamicImage::ImageRgba8)
    }
    .ok_or_else(|| err("short pixel buffer".into()))?;
    let [make, model, date] = t.texts();
    let some = |s: String| (!s.is_empty()).then_some(s);
    let meta = CaptureMeta {
        taken_at: some(date).and_then(|d| meta::normalise_exif_date(&d)),
        camera: meta::camera_name(some(make), some(model)),
        orientation: t.orientation,
    };
    Ok(Decoded {
        image,
        source_width: w,
        source_height: h,
        apply_orientation: t.orientation,
        source: None,
        meta,
    })
}

/// Writes the averaged accumulator into output row `oy` and clears it.
fn flush(acc: &mut [u32], rows: u32, w: u32, f: u32, out: &mut [u8], oy: usize) {
    let ow = acc.len() / 4;
    let start = oy * ow * 4;
    for ox in 0..ow {
        // The last column may hold fewer than f source columns.
        let cols = f.min(w - ox as u32 * f);
        let n = cols * rows;
        for c in 0..4 {
            let i = ox * 4 + c;
            out[start + i] = ((acc[i] + n / 2) / n) as u8;
            acc[i] = 0;
        }
    }
}
