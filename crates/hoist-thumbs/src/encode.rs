//! Thumbnail files: JPEG (libjpeg-turbo, quality 82, optimised Huffman tables) for opaque images, PNG for images with
//! real transparency (SVG logos, cut-outs), so the UI can draw them on any background.

use image::{DynamicImage, ImageEncoder};

use crate::error::ThumbError;
use crate::ffi::jpeg as ffi;

/// JPEG quality of cached thumbnails.
pub const JPEG_QUALITY: u8 = 82;

/// An encoded thumbnail and its file extension.
pub struct Encoded {
    /// File contents.
    pub bytes: Vec<u8>,
    /// "jpg" or "png".
    pub ext: &'static str,
}

/// Encodes a gray, RGB or RGBA thumbnail.
pub fn encode(img: &DynamicImage) -> Result<Encoded, ThumbError> {
    let err = |e: &dyn std::fmt::Display| ThumbError::decode("encode", e.to_string());
    match img {
        DynamicImage::ImageLuma8(i) => jpeg(i.as_raw(), i.width(), i.height(), 1),
        DynamicImage::ImageRgb8(i) => jpeg(i.as_raw(), i.width(), i.height(), 3),
        DynamicImage::ImageRgba8(i) if i.pixels().all(|p| p.0[3] == 255) => {
            let rgb = DynamicImage::ImageRgba8(i.clone()).to_rgb8();
            jpeg(rgb.as_raw(), rgb.width(), rgb.height(), 3)
        }
        DynamicImage::ImageRgba8(i) => {
            let mut bytes = Vec::new();
            image::codecs::png::PngEncoder::new_with_quality(
                &mut bytes,
                image::codecs::png::CompressionType::Fast,
                image::codecs::png::FilterType::Adaptive,
            )
            .write_image(
                i.as_raw(),
                i.width(),
                i.height(),
                image::ExtendedColorType::Rgba8,
            )
            .map_err(|e| err(&e))?;
            Ok(Encoded { bytes, ext: "png" })
        }
        other => encode(&DynamicImage::ImageRgb8(other.to_rgb8())),
    }
}

fn jpeg(raw: &[u8], w: u32, h: u32, components: u32) -> Result<Encoded, ThumbError> {
    let bytes = ffi::encode(raw, w, h, components, JPEG_QUALITY)
        .map_err(|e| ThumbError::decode("encode", e))?;
    Ok(Encoded { bytes, ext: "jpg" })
}
