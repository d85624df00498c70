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

/// Walks the marker segments to the APP1 "Exif" segment; returns its TIFF payload.
pub(crate) fn app1_exif(jpeg: &[u8]) -> Option<&[u8]> {
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
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if len < 2 {
            return None;
        }
        let body = jpeg.get(i + 4..i + 2 + len)?;
        if marker == 0xE1 && body.starts_with(b"Exif\0\0") {
            return Some(&body[6..]);
        }
        i += 2 + len;
    }
    None
}

/// Bytes read from the start of a JPEG file to find its EXIF thumbnail (APP1 is at most 64 KiB
/// and comes first, after at most a JFIF segment).
const EXIF_HEAD: u64 = 80 << 10;

/// Decodes a JPEG file, streaming it from disk. When the picture is damaged (a hard error, or
/// a "successful" decode that reported missing or corrupt data), the EXIF thumbnail is used
/// instead if the file has one.
pub(crate) fn decode_file(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    super::first_clean(vec![
        (
            None,
            Box::new(|| strict(decode(Source::File(path), target))),
        ),
        (
            Some("EXIF thumbnail".into()),
            Box::new(|| {
                use std::io::Read;
                let mut head = Vec::new();
                std::fs::File::open(path)
                    .and_then(|f| f.take(EXIF_HEAD).read_to_end(&mut head))
                    .map_err(|e| ThumbError::io(path, e))?;
                exif_thumbnail(&head, target)
            }),
        ),
    ])
}

/// Decodes the EXIF thumbnail embedded in a JPEG (`jpeg` needs only its first segments).
pub(crate) fn exif_thumbnail(jpeg: &[u8], target: u32) -> Result<Decoded, ThumbError> {
    let tiff = app1_exif(jpeg).ok_or_else(|| ThumbError::decode("jpeg", "no EXIF block"))?;
    let thumb = meta::exif_thumbnail(tiff)
        .ok_or_else(|| ThumbError::decode("jpeg", "no EXIF thumbnail"))?;
    let mut d = strict(decode(Source::Memory(thumb), target))?;
    // The thumbnail is stored like the main image: the main image's orientation applies.
    let m = meta::from_exif_tiff(tiff);
    d.apply_orientation = m.orientation;
    d.meta = m;
    Ok(d)
}

/// Decodes a JPEG held in memory (RAW previews); damage counts as an error.
pub(crate) fn decode_bytes(data: &[u8], target: u32) -> Result<Decoded, ThumbError> {
    strict(decode(Source::Memory(data), target))
}

/// A decode that reported missing or corrupt data is an error, not a picture.
fn strict(r: Result<(Decoded, Option<String>), ThumbError>) -> Result<Decoded, ThumbError> {
    match r? {
        (_, Some(damage)) => Err(ThumbError::decode(
            "jpeg",
            format!("damaged data: {damage}"),
        )),
        (d, None) => Ok(d),
    }
}

fn decode(src: Source<'_>, target: u32) -> Result<(Decoded, Option<String>), ThumbError> {
    let px =
        ffi::decode(src, target, MAX_DECODER_MEMORY).map_err(|e| ThumbError::decode("jpeg", e))?;
    if let Some(w) = &px.warning {
        tracing::debug!(warning = %w, "libjpeg warning");
    }
    let damage = px.damage.clone();
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
    Ok((
        Decoded {
            image,
            source_width: width,
            source_height: height,
            apply_orientation: meta.orientation,
            source: None,
            meta,
        },
        damage,
    ))
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
