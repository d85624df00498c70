//! JPEG: libjpeg-turbo (SIMD) through `native/jpeg_shim.c`, read from the file in small
//! chunks and decoded directly at 1/8..8/8 scale in the DCT domain (libvips'
//! "shrink-on-load"), EXIF orientation and metadata from the APP1 segment.
//!
//! Chosen over the pure-Rust options after measuring on the project machine (see
//! bench/RESULTS.md and performance-and-style.md A1): `zune-jpeg` (inside `image`) has no
//! scaled decode, and `jpeg-decoder`'s `scale()` is slower at Huffman decoding.

use std::path::Path;

use image::{DynamicImage, GrayImage, RgbImage};

use super::Decoded;
use crate::error::ThumbError;
use crate::ffi::jpeg::{self as ffi, Source};
use crate::meta;

/// Cap on libjpeg's own allocations. Baseline JPEGs are decoded a few rows at a time and stay
/// far below it at any size; progressive ones buffer all DCT coefficients (2-3 bytes per
/// pixel), so this refuses progressive images above roughly 100 megapixels.
pub(crate) const MAX_DECODER_MEMORY: u64 = 320 << 20;

/// Frame type and size from the SOF marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sof {
    /// SOF marker byte: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless...
    pub marker: u8,
    pub width: u32,
    pub height: u32,
}

impl Sof {
    /// Baseline, extended or progressive Huffman DCT: what previews and photos use.
    pub(crate) fn is_photo(&self) -> bool {
        matches!(self.marker, 0xC0..=0xC2) && self.width > 0 && self.height > 0
    }
}

/// Walks the marker segments up to the frame header.
pub(crate) fn sof(jpeg: &[u8]) -> Option<Sof> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) {
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if len < 2 {
            return None;
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let b = jpeg.get(i + 4..i + 9)?;
            return Some(Sof {
                marker,
                height: u16::from_be_bytes([b[1], b[2]]) as u32,
                width: u16::from_be_bytes([b[3], b[4]]) as u32,
            });
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// Decodes a JPEG file, streaming it from disk.
pub(crate) fn decode_file(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    decode(Source::File(path), target)
}

/// Decodes a JPEG held in memory (RAW previews).
pub(crate) fn decode_bytes(data: &[u8], target: u32) -> Result<Decoded, ThumbError> {
    decode(Source::Memory(data), target)
}

fn decode(src: Source<'_>, target: u32) -> Result<Decoded, ThumbError> {
    let px =
        ffi::decode(src, target, MAX_DECODER_MEMORY).map_err(|e| ThumbError::decode("jpeg", e))?;
    if let Some(w) = &px.warning {
        tracing::warn!(warning = %w, "JPEG decoded with a warning (damaged or truncated data?)");
    }
    let meta = px
        .exif
        .as_deref()
        .map(meta::from_exif_tiff)
        .unwrap_or(meta::CaptureMeta {
            orientation: 1,
            ..Default::default()
        });
    let (width, height) = (px.width, px.height);
    let image = to_image(px)?;
    Ok(Decoded {
        image,
        source_width: width,
        source_height: height,
        apply_orientation: meta.orientation,
        meta,
    })
}

fn to_image(px: ffi::Pixels) -> Result<DynamicImage, ThumbError> {
    let bad = || ThumbError::decode("jpeg", "decoder returned a short buffer");
    let (w, h) = (px.out_width, px.out_height);
    Ok(match px.components {
        3 => DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, px.data).ok_or_else(bad)?),
        1 => DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, px.data).ok_or_else(bad)?),
        4 => {
            // Adobe CMYK/YCCK JPEGs store inverted inks: R = C*K/255 and so on.
            let inv = px.inverted_cmyk;
            let rgb: Vec<u8> = px
                .data
                .chunks_exact(4)
                .flat_map(|p| {
                    let (c, m, y, k) = if inv {
                        (p[0] as u16, p[1] as u16, p[2] as u16, p[3] as u16)
                    } else {
                        (
                            255 - p[0] as u16,
                            255 - p[1] as u16,
                            255 - p[2] as u16,
                            255 - p[3] as u16,
                        )
                    };
                    [
                        (c * k / 255) as u8,
                        (m * k / 255) as u8,
                        (y * k / 255) as u8,
                    ]
                })
                .collect();
            DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, rgb).ok_or_else(bad)?)
        }
        n => return Err(ThumbError::decode("jpeg", format!("{n} colour components"))),
    })
}
