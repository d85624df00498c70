//! Camera RAW through LibRaw (`native/raw_shim.c`): we never demosaic, we show the preview
//! the camera embedded. LibRaw identifies the file, picks its best thumbnail and gives the
//! orientation (`sizes.flip`), camera and capture date.
//!
//! Sources, in order, the first that decodes cleanly and is not blank wins:
//! 1. LibRaw's thumbnail (normally the largest preview; JPEG or 8-bit bitmap);
//! 2. the other JPEG previews in the file's TIFF structure, largest first
//!    ([`super::raw_previews`]; LibRaw 0.20 exposes only one thumbnail);
//! 3. the EXIF thumbnail inside LibRaw's JPEG thumbnail (RAF and others carry one).
//!
//! All of them are stored unrotated: LibRaw's orientation applies to each.

use std::path::Path;

use image::{DynamicImage, GrayImage, RgbImage};

use super::raw_io::FileBytes;
use super::{first_clean, jpeg, raw_previews, Attempt, Decoded};
use crate::error::ThumbError;
use crate::ffi::raw::{self as ffi, Thumb};
use crate::meta::{self, CaptureMeta};

/// LibRaw's `flip` (bit 4 transpose, 2 flip rows, 1 flip columns) as an EXIF orientation.
pub(crate) fn orientation_from_flip(flip: i32) -> u16 {
    [1, 2, 4, 3, 5, 8, 6, 7][(flip & 7) as usize]
}

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let info = ffi::open(path).map_err(|e| ThumbError::decode("raw", e))?;
    let orientation = orientation_from_flip(info.flip);
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let meta = CaptureMeta {
        taken_at: some(&info.taken_at).and_then(|d| meta::normalise_exif_date(&d)),
        camera: meta::camera_name(some(&info.make), some(&info.model)),
        orientation,
    };
    let data = FileBytes::open(path)?;
    let thumb = info.thumb;
    let libraw_jpeg = match &thumb {
        Some(Thumb::Jpeg(j)) => Some(j.as_slice()),
        _ => None,
    };
    let thumb_error = info.thumb_error;
    let mut attempts: Vec<Attempt<'_>> = Vec::new();
    attempts.push((
        None,
        Box::new(|| match &thumb {
            Some(Thumb::Jpeg(j)) => jpeg::decode_bytes(j, target),
            Some(Thumb::Bitmap {
                width,
                height,
                colors,
                data,
            }) => bitmap(*width, *height, *colors, data.clone()),
            None => Err(ThumbError::decode("raw", &thumb_error)),
        }),
    ));
    for p in raw_previews::find(&data) {
        // LibRaw's own thumbnail is one of these: skip the same bytes.
        if libraw_jpeg.is_some_and(|j| j.len() == p.len) {
            continue;
        }
        let data = &data;
        attempts.push((
            Some(format!("embedded preview {}x{}", p.sof.width, p.sof.height)),
            Box::new(move || {
                let bytes = data
                    .read(p.offset, p.len)
                    .ok_or_else(|| ThumbError::decode("raw", "preview past the end of file"))?;
                jpeg::decode_bytes(&bytes, target)
            }),
        ));
    }
    if let Some(j) = libraw_jpeg {
        attempts.push((
            Some("EXIF thumbnail".into()),
            Box::new(move || jpeg::exif_thumbnail(j, target)),
        ));
    }
    let mut d = first_clean(attempts)?;
    if info.width > 0 && info.height > 0 {
        (d.source_width, d.source_height) = (info.width, info.height);
    }
    d.apply_orientation = orientation;
    d.meta = meta;
    Ok(d)
}

fn bitmap(width: u32, height: u32, colors: u32, data: Vec<u8>) -> Result<Decoded, ThumbError> {
    let short = || ThumbError::decode("raw", "short thumbnail bitmap");
    let image = if colors == 1 {
        DynamicImage::ImageLuma8(GrayImage::from_raw(width, height, data).ok_or_else(short)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, data).ok_or_else(short)?)
    };
    Ok(Decoded {
        image,
        source_width: width,
        source_height: height,
        meta: CaptureMeta::default(),
        apply_orientation: 1,
        source: None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn libraw_flip_to_exif() {
        use super::orientation_from_flip as o;
        assert_eq!((o(0), o(3), o(5), o(6)), (1, 3, 8, 6));
    }
}
