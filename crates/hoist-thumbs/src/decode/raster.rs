//! PNG (small or interlaced), WebP, GIF (first frame) and BMP through the `image`
//! crate, with an allocation limit so a hostile header cannot ask for gigabytes.

use std::io::BufReader;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::{Decoded, MAX_ALLOC};
use crate::error::ThumbError;
use crate::format::SourceFormat;
use crate::meta;

pub(crate) fn decode(path: &Path, format: SourceFormat) -> Result<Decoded, ThumbError> {
    let name = format.name();
    let image_format = match format {
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::Webp => ImageFormat::WebP,
        SourceFormat::Gif => ImageFormat::Gif,
        SourceFormat::Bmp => ImageFormat::Bmp,
        SourceFormat::Jpeg => ImageFormat::Jpeg,
        _ => return Err(ThumbError::Unsupported(format!("{name} via image crate"))),
    };
    let file = std::fs::File::open(path).map_err(|e| ThumbError::io(path, e))?;
    let mut reader = ImageReader::with_format(BufReader::new(file), image_format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| map_err(name, e))?;
    let (width, height) = decoder.dimensions();
    let meta = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .map(|e| meta::from_exif_tiff(&e))
        .unwrap_or(meta::CaptureMeta {
            orientation: 1,
            ..Default::default()
        });
    let image = DynamicImage::from_decoder(decoder).map_err(|e| map_err(name, e))?;
    Ok(Decoded {
        image,
        source_width: width,
        source_height: height,
        apply_orientation: meta.orientation,
        source: None,
        meta,
    })
}

fn map_err(name: &'static str, e: image::ImageError) -> ThumbError {
    match e {
        image::ImageError::Limits(_) => {
            ThumbError::decode(name, format!("over the memory limit: {e}"))
        }
        image::ImageError::Unsupported(u) => ThumbError::Unsupported(format!("{name}: {u}")),
        other => ThumbError::decode(name, other),
    }
}
