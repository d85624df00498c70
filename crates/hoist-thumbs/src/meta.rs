//! Capture metadata (EXIF date, camera, orientation) and applying the EXIF orientation.

use image::DynamicImage;
use serde::{Deserialize, Serialize};

/// What the UI shows next to a thumbnail besides the picture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureMeta {
    /// EXIF DateTimeOriginal (else DateTime), as `YYYY-MM-DDTHH:MM:SS` local camera time.
    pub taken_at: Option<String>,
    /// "Make Model", e.g. "Canon EOS R5".
    pub camera: Option<String>,
    /// EXIF orientation 1-8 (1 = upright) of the source; thumbnails are already rotated.
    pub orientation: u16,
}

/// Parses a TIFF-structured EXIF block (the payload of a JPEG APP1 "Exif\0\0" segment, a
/// HEIF "Exif" item without its offset prefix, or a whole TIFF/RAW header). Never fails:
/// missing or broken EXIF gives the default (upright, no date, no camera).
pub fn from_exif_tiff(data: &[u8]) -> CaptureMeta {
    let mut meta = CaptureMeta {
        orientation: 1,
        ..Default::default()
    };
    let exif = match exif::Reader::new().read_raw(data.to_vec()) {
        Ok(e) => e,
        Err(err) => {
            tracing::debug!(%err, "no usable EXIF");
            return meta;
        }
    };
    let ascii = |tag| -> Option<String> {
        let f = exif.get_field(tag, exif::In::PRIMARY)?;
        match &f.value {
            exif::Value::Ascii(v) => v.first().map(|b| {
                String::from_utf8_lossy(b)
                    .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .to_string()
            }),
            _ => None,
        }
        .filter(|s| !s.is_empty())
    };
    if let Some(f) = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY) {
        if let Some(v @ 1..=8) = f.value.get_uint(0) {
            meta.orientation = v as u16;
        }
    }
    meta.taken_at = ascii(exif::Tag::DateTimeOriginal)
        .or_else(|| ascii(exif::Tag::DateTime))
        .and_then(|s| normalise_exif_date(&s));
    let make = ascii(exif::Tag::Make);
    let model = ascii(exif::Tag::Model);
    meta.camera = camera_name(make, model);
    meta
}

/// The EXIF thumbnail (IFD1's JPEGInterchangeFormat/Length) inside a TIFF-structured EXIF
/// block, as a slice of it.
pub(crate) fn exif_thumbnail(tiff: &[u8]) -> Option<&[u8]> {
    let exif = exif::Reader::new().read_raw(tiff.to_vec()).ok()?;
    let get = |tag| {
        exif.get_field(tag, exif::In::THUMBNAIL)
            .and_then(|f| f.value.get_uint(0))
            .map(|v| v as usize)
    };
    let off = get(exif::Tag::JPEGInterchangeFormat)?;
    let len = get(exif::Tag::JPEGInterchangeFormatLength)?;
    tiff.get(off..off.checked_add(len)?)
}

/// Joins EXIF Make and Model without repeating the brand: "Canon" + "Canon EOS R5" ->
/// "Canon EOS R5"; "NIKON CORPORATION" + "NIKON Z 6" -> "NIKON Z 6".
pub(crate) fn camera_name(make: Option<String>, model: Option<String>) -> Option<String> {
    match (make, model) {
        (Some(make), Some(model)) => {
            let first = make.split_whitespace().next().unwrap_or("");
            if model.to_lowercase().starts_with(&first.to_lowercase()) {
                Some(model)
            } else {
                Some(format!("{make} {model}"))
            }
        }
        (a, b) => a.or(b),
    }
}

/// "2024:05:01 12:34:56" -> "2024-05-01T12:34:56"; anything else is dropped.
pub(crate) fn normalise_exif_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 19
        || !b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b':' || *c == b'-',
            10 => *c == b' ' || *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
        || &s[..4] == "0000"
    {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}",
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..19]
    ))
}

/// Applies an EXIF orientation (1-8) to a decoded image.
pub fn apply_orientation(img: DynamicImage, orientation: u16) -> DynamicImage {
    match orientation {
        2 => img.fliph(),
        3 => img.rotate180(),
        4 => img.flipv(),
        5 => img.rotate90().fliph(),
        6 => img.rotate90(),
        7 => img.rotate270().fliph(),
        8 => img.rotate270(),
        _ => img,
    }
}

/// True when the orientation swaps width and height.
pub fn swaps_axes(orientation: u16) -> bool {
    (5..=8).contains(&orientation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_normalised_or_dropped() {
        assert_eq!(
            normalise_exif_date("2024:05:01 12:34:56").as_deref(),
            Some("2024-05-01T12:34:56")
        );
        assert_eq!(normalise_exif_date("0000:00:00 00:00:00"), None);
        assert_eq!(normalise_exif_date("yesterday"), None);
    }

    #[test]
    fn broken_exif_is_upright() {
        let m = from_exif_tiff(b"II*\0garbage");
        assert_eq!(m.orientation, 1);
        assert_eq!(m.camera, None);
    }
}
