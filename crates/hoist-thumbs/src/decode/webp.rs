//! WebP: libwebp decoding directly to about twice the thumbnail size (its scaler runs while
//! rows are decoded), so a 24 MP WebP never becomes a 24 MP buffer; measured about 3x faster
//! than the `image` crate's full decode on a 24 MP file (bench/RESULTS.md). Animated WebPs
//! go to the `image` crate for their first frame. EXIF comes from the RIFF `EXIF` chunk.

use std::path::Path;

use image::{DynamicImage, RgbImage, RgbaImage};

use super::{raster, Decoded};
use crate::error::ThumbError;
use crate::ffi::webp::{self as ffi, Failure};
use crate::format::SourceFormat;
use crate::meta::{self, CaptureMeta};

/// WebP files are held in memory while decoding; larger ones are refused.
const MAX_WEBP_BYTES: u64 = 256 << 20;

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let len = std::fs::metadata(path)
        .map_err(|e| ThumbError::io(path, e))?
        .len();
    if len > MAX_WEBP_BYTES {
        return Err(ThumbError::decode(
            "webp",
            format!("{len} bytes is too large"),
        ));
    }
    let data = std::fs::read(path).map_err(|e| ThumbError::io(path, e))?;
    let px = match ffi::decode(&data, target) {
        Ok(px) => px,
        Err(Failure::Animated) => return raster::decode(path, SourceFormat::Webp),
        Err(Failure::Status(code)) => {
            return Err(ThumbError::decode("webp", format!("libwebp status {code}")))
        }
    };
    let short = || ThumbError::decode("webp", "short pixel buffer");
    let (w, h) = (px.out_width, px.out_height);
    let image = if px.channels == 4 {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(w, h, px.data).ok_or_else(short)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, px.data).ok_or_else(short)?)
    };
    let meta = exif_chunk(&data)
        .map(meta::from_exif_tiff)
        .unwrap_or(CaptureMeta {
            orientation: 1,
            ..Default::default()
        });
    Ok(Decoded {
        image,
        source_width: px.width,
        source_height: px.height,
        apply_orientation: meta.orientation,
        source: None,
        meta,
    })
}

/// The payload of the RIFF `EXIF` chunk (without an "Exif\0\0" prefix some writers add).
fn exif_chunk(data: &[u8]) -> Option<&[u8]> {
    let mut i = 12;
    while i + 8 <= data.len() {
        let size =
            u32::from_le_bytes([data[i + 4], data[i + 5], data[i + 6], data[i + 7]]) as usize;
        let body = data.get(i + 8..(i + 8).checked_add(size)?)?;
        if &data[i..i + 4] == b"EXIF" {
            return Some(body.strip_prefix(b"Exif\0\0").unwrap_or(body));
        }
        i += 8 + size + (size & 1);
    }
    None
}
