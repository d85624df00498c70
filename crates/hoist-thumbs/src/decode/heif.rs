//! HEIC/HEIF and AVIF through libheif (libde265 for HEVC, dav1d/aom for AV1). Uses an embedded
//! thumbnail when one is large enough, so a 12 MP iPhone photo decodes its 320 px preview.

use std::path::Path;

use image::{DynamicImage, RgbImage, RgbaImage};

use super::{Decoded, HEIF_MAX_WIDTH};
use crate::error::ThumbError;
use crate::ffi::heif as ffi;
use crate::format::SourceFormat;
use crate::meta;

pub(crate) fn decode(
    path: &Path,
    format: SourceFormat,
    target: u32,
) -> Result<Decoded, ThumbError> {
    let name = format.name();
    let d = ffi::decode(path, target, HEIF_MAX_WIDTH).map_err(|e| ThumbError::decode(name, e))?;
    let short = || ThumbError::decode(name, "short pixel buffer");
    let image = if d.has_alpha {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(d.width, d.height, d.data).ok_or_else(short)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(d.width, d.height, d.data).ok_or_else(short)?)
    };
    let mut meta = d
        .exif
        .as_deref()
        .map(meta::from_exif_tiff)
        .unwrap_or_default();
    if meta.orientation == 0 {
        meta.orientation = 1;
    }
    Ok(Decoded {
        image,
        source_width: d.source_width,
        source_height: d.source_height,
        // HEIF carries its rotation in `irot`/`imir`, which libheif has applied; the EXIF
        // orientation is informational only (the HEIF spec says to ignore it).
        apply_orientation: 1,
        source: None,
        meta,
    })
}
