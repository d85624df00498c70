//! HEIC/HEIF and AVIF through libheif (libde265 for HEVC, dav1d/aom for AV1), any bit depth;
//! PQ and HLG images are tone-mapped to sRGB ([`crate::hdr`]).
//!
//! An embedded thumbnail big enough for the target is decoded instead of the primary image
//! (a 12 MP iPhone photo carries a 320 px one), but only when its aspect ratio matches the
//! primary's as displayed (a thumbnail stored unrotated, or of another crop, does not) and it
//! decodes cleanly and is not blank; otherwise the primary image is decoded.

use std::path::Path;

use image::{DynamicImage, RgbImage, RgbaImage};

use super::{first_clean, Attempt, Decoded, HEIF_MAX_WIDTH};
use crate::error::ThumbError;
use crate::ffi::heif as ffi;
use crate::format::SourceFormat;
use crate::meta;

/// Largest relative difference of aspect ratio for a thumbnail to stand for the primary.
const ASPECT_TOLERANCE: f64 = 0.02;

pub(crate) fn decode(
    path: &Path,
    format: SourceFormat,
    target: u32,
) -> Result<Decoded, ThumbError> {
    let name = format.name();
    let file = ffi::open(path, HEIF_MAX_WIDTH).map_err(|e| ThumbError::decode(name, e))?;
    let (pw, ph) = file.primary.size();
    let aspect = |(w, h): (u32, u32)| w as f64 / h.max(1) as f64;
    // Smallest thumbnail that is still big enough and shows the same frame.
    let thumb = file
        .thumbnails
        .iter()
        .filter(|t| {
            let (w, h) = t.size();
            w.max(h) >= target
                && ((aspect((w, h)) - aspect((pw, ph))).abs() / aspect((pw, ph)))
                    <= ASPECT_TOLERANCE
        })
        .min_by_key(|t| t.size().0.max(t.size().1));
    let mut meta = file
        .exif
        .as_deref()
        .map(meta::from_exif_tiff)
        .unwrap_or_default();
    if meta.orientation == 0 {
        meta.orientation = 1;
    }
    let picture = |item: &ffi::Item| -> Result<Decoded, ThumbError> {
        let d = ffi::decode(item).map_err(|e| ThumbError::decode(name, e))?;
        let short = || ThumbError::decode(name, "short pixel buffer");
        let image = if d.has_alpha {
            DynamicImage::ImageRgba8(
                RgbaImage::from_raw(d.width, d.height, d.data).ok_or_else(short)?,
            )
        } else {
            DynamicImage::ImageRgb8(
                RgbImage::from_raw(d.width, d.height, d.data).ok_or_else(short)?,
            )
        };
        Ok(Decoded {
            image,
            source_width: pw,
            source_height: ph,
            meta: meta.clone(),
            // HEIF carries its rotation in `irot`/`imir`, which libheif has applied; the EXIF
            // orientation is informational only (the HEIF spec says to ignore it).
            apply_orientation: 1,
            source: None,
        })
    };
    let mut attempts: Vec<Attempt<'_>> = Vec::new();
    if let Some(t) = thumb {
        attempts.push((None, Box::new(|| picture(t))));
    }
    attempts.push((None, Box::new(|| picture(&file.primary))));
    first_clean(attempts)
}
