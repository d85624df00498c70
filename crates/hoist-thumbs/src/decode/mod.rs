//! Format decoders. Each returns a [`Decoded`] image that is usually already reduced close to
//! the requested size (scaled DCT, embedded previews, streaming box filter), never the
//! final thumbnail: [`crate::resize`] does the last, high-quality step.

use std::path::Path;

use image::DynamicImage;

use crate::error::ThumbError;
use crate::format::SourceFormat;
use crate::meta::CaptureMeta;

pub(crate) mod heif;
pub(crate) mod jpeg;
pub(crate) mod pdf;
pub(crate) mod png_stream;
pub(crate) mod raster;
pub(crate) mod raw;
pub(crate) mod raw_io;
pub(crate) mod raw_previews;
pub(crate) mod svg;
pub(crate) mod tiff;
pub(crate) mod video;
pub(crate) mod webp;

/// Largest buffer a whole-image decoder (image crate, libheif) may allocate. Formats that
/// stream (baseline JPEG, non-interlaced PNG) are reduced while decoding and never need it.
pub(crate) const MAX_ALLOC: u64 = 512 << 20;
/// Largest image, in pixels, libheif may decode (its limit is a width that it squares).
pub(crate) const HEIF_MAX_WIDTH: u32 = 12_000;

/// A decoded source image before the final resize.
pub(crate) struct Decoded {
    /// Pixels, possibly pre-reduced, not yet oriented.
    pub image: DynamicImage,
    /// Size of the full source image as stored (before orientation).
    pub source_width: u32,
    /// See `source_width`.
    pub source_height: u32,
    /// Capture metadata; `meta.orientation` is the source's EXIF orientation.
    pub meta: CaptureMeta,
    /// Orientation still to apply to `image` (1 when the decoder already did it).
    pub apply_orientation: u16,
    /// Set when the picture comes from a fallback (e.g. "EXIF thumbnail") because the
    /// preferred source failed, reported errors or came out blank.
    pub source: Option<String>,
}

/// One way to get a picture of a file, tried in order by [`first_clean`]. The label names a
/// fallback source; `None` marks the file's own picture (not reported as a fallback).
pub(crate) type Attempt<'a> = (
    Option<String>,
    Box<dyn FnOnce() -> Result<Decoded, ThumbError> + 'a>,
);

/// The first attempt that decodes without errors and is not near-uniform. A near-uniform
/// result is kept only when no later attempt gives a real picture (then the source itself is
/// probably blank); when every attempt fails, the first error is the reason.
pub(crate) fn first_clean(attempts: Vec<Attempt<'_>>) -> Result<Decoded, ThumbError> {
    let mut first_err: Option<ThumbError> = None;
    let mut blank: Option<Decoded> = None;
    for (label, run) in attempts {
        match run() {
            Ok(mut d) => {
                d.source = label.clone();
                if crate::quality::near_uniform(&d.image) {
                    tracing::debug!(source = ?label, "near-uniform picture, trying the next source");
                    blank.get_or_insert(d);
                    continue;
                }
                if let Some(e) = &first_err {
                    tracing::warn!(source = ?label, reason = %e, "preferred picture failed, using a fallback");
                }
                return Ok(d);
            }
            Err(e) => {
                tracing::debug!(source = ?label, reason = %e, "picture source rejected");
                first_err.get_or_insert(e);
            }
        }
    }
    blank.ok_or_else(|| {
        first_err.unwrap_or_else(|| ThumbError::Unsupported("no picture in the file".into()))
    })
}

/// The smallest reduction that keeps at least twice the target resolution (as ImageMagick's
/// `jpeg:size` advice and libvips' shrink-on-load do), so the final Lanczos step does not alias.
pub(crate) fn min_scale(width: u32, height: u32, target: u32) -> f64 {
    if width == 0 || height == 0 {
        return 1.0;
    }
    let fit = (target as f64 / width as f64).min(target as f64 / height as f64);
    (2.0 * fit).min(1.0)
}

/// Decodes `path` (already identified as `format`) for a thumbnail of `target` px.
pub(crate) fn decode(
    path: &Path,
    format: SourceFormat,
    target: u32,
) -> Result<Decoded, ThumbError> {
    match format {
        SourceFormat::Jpeg => jpeg::decode_file(path, target),
        SourceFormat::Png => png_stream::decode(path, target),
        SourceFormat::Webp => webp::decode(path, target),
        SourceFormat::Gif | SourceFormat::Bmp => raster::decode(path, format),
        SourceFormat::Tiff => tiff::decode(path, target),
        SourceFormat::Avif | SourceFormat::Heif => heif::decode(path, format, target),
        SourceFormat::Svg => svg::decode(path, target),
        SourceFormat::Raw => raw::decode(path, target),
        SourceFormat::Video => video::decode(path, target),
        SourceFormat::Pdf => pdf::decode(path, target),
        SourceFormat::Unknown => Err(ThumbError::Unsupported("unknown file type".into())),
    }
}
