//! PNG: streamed row by row with an integer box filter, so a 100-megapixel PNG costs two rows
//! of memory instead of 400 MB. Interlaced (Adam7) files, whose rows arrive out of order, go
//! through the whole-image decoder with its allocation limit.
//!
//! Written here because neither `image` nor `png` offer a reduced decode; the box
//! pre-reduction is what ImageMagick's `-thumbnail` does too (then a Lanczos pass follows).

use std::io::BufReader;
use std::path::Path;

use image::{DynamicImage, RgbImage, RgbaImage};

use super::{min_scale, raster, Decoded, MAX_ALLOC};
use crate::error::ThumbError;
use crate::format::SourceFormat;
use crate::meta;

fn err(e: impl std::fmt::Display) -> ThumbError {
    ThumbError::decode("png", e)
}

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let file = std::fs::File::open(path).map_err(|e| ThumbError::io(path, e))?;
    let mut decoder = png::Decoder::new(BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_limits(png::Limits {
        bytes: MAX_ALLOC as usize,
    });
    let mut reader = decoder.read_info().map_err(err)?;
    let (width, height, interlaced) = {
        let info = reader.info();
        (info.width, info.height, info.interlaced)
    };
    let factor = (1.0 / min_scale(width, height, target)).floor().max(1.0) as u32;
    if interlaced || factor < 2 {
        drop(reader);
        return raster::decode(path, SourceFormat::Png);
    }
    let meta = reader
        .info()
        .exif_metadata
        .as_deref()
        .map(meta::from_exif_tiff)
        .unwrap_or(meta::CaptureMeta {
            orientation: 1,
            ..Default::default()
        });
    let (color, _) = reader.output_color_type();
    let in_ch = color.samples();
    let alpha = matches!(color, png::ColorType::GrayscaleAlpha | png::ColorType::Rgba);
    let out_ch = if alpha { 4 } else { 3 };
    let out_w = width.div_ceil(factor);
    let out_h = height.div_ceil(factor);
    let mut acc = vec![0u64; out_w as usize * out_ch];
    let mut out = Vec::with_capacity(out_w as usize * out_h as usize * out_ch);
    let mut rows_in_band = 0u32;
    let mut y = 0u32;
    while let Some(row) = reader.next_row().map_err(err)? {
        let data = row.data();
        for (x, px) in data.chunks_exact(in_ch).enumerate().take(width as usize) {
            let o = (x / factor as usize) * out_ch;
            let (r, g, b, a) = match in_ch {
                1 => (px[0], px[0], px[0], 255),
                2 => (px[0], px[0], px[0], px[1]),
                3 => (px[0], px[1], px[2], 255),
                _ => (px[0], px[1], px[2], px[3]),
            };
            if alpha {
                // Weight colour by alpha so transparent pixels do not bleed (premultiplied sum).
                let a64 = a as u64;
                acc[o] += r as u64 * a64;
                acc[o + 1] += g as u64 * a64;
                acc[o + 2] += b as u64 * a64;
                acc[o + 3] += a64;
            } else {
                acc[o] += r as u64;
                acc[o + 1] += g as u64;
                acc[o + 2] += b as u64;
            }
        }
        rows_in_band += 1;
        y += 1;
        if rows_in_band == factor || y == height {
            flush(
                &mut acc,
                &mut out,
                width,
                factor,
                rows_in_band,
                out_ch,
                alpha,
            );
            rows_in_band = 0;
        }
    }
    if y < height {
        return Err(err(format!("image data ends at row {y} of {height}")));
    }
    let image = if alpha {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(out_w, out_h, out).ok_or_else(|| err("size"))?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(out_w, out_h, out).ok_or_else(|| err("size"))?)
    };
    Ok(Decoded {
        image,
        source_width: width,
        source_height: height,
        apply_orientation: meta.orientation,
        source: None,
        meta,
    })
}

/// Emits one output row: the averages of `rows` source rows, `factor` pixels wide each.
fn flush(
    acc: &mut [u64],
    out: &mut Vec<u8>,
    width: u32,
    factor: u32,
    rows: u32,
    ch: usize,
    alpha: bool,
) {
    for (i, px) in acc.chunks_exact_mut(ch).enumerate() {
        let cols = (width - i as u32 * factor).min(factor);
        let n = (cols * rows) as u64;
        if alpha {
            let a_sum = px[3];
            for v in &px[..3] {
                out.push(v.checked_div(a_sum).unwrap_or(0) as u8);
            }
            out.push((a_sum / n) as u8);
        } else {
            for v in px.iter() {
                out.push((v / n) as u8);
            }
        }
        px.fill(0);
    }
}
