//! Recognising what a file is, from its first bytes (and its extension when bytes are ambiguous).

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A source format Hoist knows about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// JPEG/JFIF/EXIF.
    Jpeg,
    /// PNG.
    Png,
    /// WebP (lossy, lossless, animated: first frame).
    Webp,
    /// GIF (first frame).
    Gif,
    /// TIFF.
    Tiff,
    /// Windows bitmap.
    Bmp,
    /// AV1 image file.
    Avif,
    /// HEIC / HEIF (HEVC still images).
    Heif,
    /// SVG (and gzip-compressed SVGZ).
    Svg,
    /// Camera RAW (CR2, CR3, NEF, ARW, DNG, RAF, ORF, RW2, PEF...): its embedded preview.
    Raw,
    /// Video (MP4, MOV, WebM, MKV, AVI...): a frame from the first seconds.
    Video,
    /// PDF: the first page.
    Pdf,
    /// Anything else.
    Unknown,
}

/// How a type icon looks: one glyph per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Raster and vector images.
    Image,
    /// Camera RAW.
    Raw,
    /// Video.
    Video,
    /// Documents (PDF).
    Document,
    /// Everything else.
    Other,
}

impl SourceFormat {
    /// Lower-case name, as stored in [`crate::ThumbInfo::format`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
            Self::Tiff => "tiff",
            Self::Bmp => "bmp",
            Self::Avif => "avif",
            Self::Heif => "heif",
            Self::Svg => "svg",
            Self::Raw => "raw",
            Self::Video => "video",
            Self::Pdf => "pdf",
            Self::Unknown => "unknown",
        }
    }

    /// The icon family of this format.
    pub fn family(self) -> Family {
        match self {
            Self::Raw => Family::Raw,
            Self::Video => Family::Video,
            Self::Pdf => Family::Document,
            Self::Unknown => Family::Other,
            _ => Family::Image,
        }
    }
}

const RAW_EXTS: &[&str] = &[
    "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "dng", "raf", "orf", "rw2", "pef",
    "srw", "3fr", "iiq", "erf", "kdc", "mos", "mrw",
];
// Not Sigma's X3F: Debian's LibRaw is built without X3F support (libraw_capabilities() lacks
// LIBRAW_CAPS_X3FTOOLS), so such files would only ever get an icon. They are "unknown".
const VIDEO_EXTS: &[&str] = &[
    "mp4", "m4v", "mov", "qt", "webm", "mkv", "avi", "mts", "m2ts", "3gp", "mpg", "mpeg", "wmv",
    "flv", "mxf",
];

fn ext_of(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Guesses the format from the extension alone (used for icons of unreadable files).
pub fn from_extension(path: &Path) -> SourceFormat {
    let ext = ext_of(path);
    match ext.as_str() {
        "jpg" | "jpeg" | "jpe" | "jfif" => SourceFormat::Jpeg,
        "png" => SourceFormat::Png,
        "webp" => SourceFormat::Webp,
        "gif" => SourceFormat::Gif,
        "tif" | "tiff" => SourceFormat::Tiff,
        "bmp" | "dib" => SourceFormat::Bmp,
        "avif" => SourceFormat::Avif,
        "heic" | "heif" | "hif" => SourceFormat::Heif,
        "svg" | "svgz" => SourceFormat::Svg,
        "pdf" => SourceFormat::Pdf,
        e if RAW_EXTS.contains(&e) => SourceFormat::Raw,
        e if VIDEO_EXTS.contains(&e) => SourceFormat::Video,
        _ => SourceFormat::Unknown,
    }
}

/// Detects the format from the first bytes of the file (`head`, up to 64 bytes are looked
/// at), falling back to the extension. TIFF-structured camera RAWs (CR2, NEF, ARW, DNG...)
/// are told from plain TIFF by their extension or their magic.
pub fn detect(path: &Path, head: &[u8]) -> SourceFormat {
    let by_ext = from_extension(path);
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return SourceFormat::Jpeg;
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return SourceFormat::Png;
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return SourceFormat::Gif;
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return SourceFormat::Webp;
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"AVI " {
        return SourceFormat::Video;
    }
    if starts(b"BM") && head.len() >= 14 {
        return SourceFormat::Bmp;
    }
    if starts(b"%PDF-") {
        return SourceFormat::Pdf;
    }
    if starts(b"FUJIFILMCCD-RAW") {
        return SourceFormat::Raw;
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return SourceFormat::Video; // Matroska / WebM
    }
    // ORF ("IIRO", "IIRS", "MMOR"), RW2 ("IIU\0") and plain TIFF ("II*\0", "MM\0*").
    if starts(b"IIRO") || starts(b"IIRS") || starts(b"MMOR") || starts(b"IIU\0") {
        return SourceFormat::Raw;
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        // CR2 has "CR" at offset 8; NEF/ARW/DNG/PEF are TIFF with a RAW extension.
        if head.len() >= 10 && &head[8..10] == b"CR" || by_ext == SourceFormat::Raw {
            return SourceFormat::Raw;
        }
        return SourceFormat::Tiff;
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        return match brand {
            b"avif" | b"avis" => SourceFormat::Avif,
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
                if by_ext == SourceFormat::Avif {
                    SourceFormat::Avif
                } else {
                    SourceFormat::Heif
                }
            }
            b"crx " => SourceFormat::Raw,
            _ => SourceFormat::Video, // isom, mp41, mp42, qt, M4V, 3gp...
        };
    }
    // Old QuickTime files may start with another atom ("moov", "mdat", "wide", "free").
    if head.len() >= 8 && matches!(&head[4..8], b"moov" | b"mdat" | b"wide" | b"free" | b"skip") {
        return SourceFormat::Video;
    }
    if by_ext == SourceFormat::Svg || looks_like_svg(head) {
        return SourceFormat::Svg;
    }
    if by_ext == SourceFormat::Video {
        return SourceFormat::Video; // MPEG-TS etc. have no simple magic
    }
    if by_ext == SourceFormat::Raw {
        // CRW ("II\x1a\0...HEAPCCDR"), MRW ("\0MRM") and other non-TIFF RAWs: LibRaw knows them.
        return SourceFormat::Raw;
    }
    SourceFormat::Unknown
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<svg") || (t.starts_with("<?xml") && text.contains("<svg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_wins_over_extension() {
        let p = Path::new("photo.png");
        assert_eq!(detect(p, &[0xFF, 0xD8, 0xFF, 0xE0]), SourceFormat::Jpeg);
        assert_eq!(
            detect(Path::new("a.nef"), b"II*\0\x08\0\0\0"),
            SourceFormat::Raw
        );
        assert_eq!(
            detect(Path::new("a.tif"), b"II*\0\x08\0\0\0"),
            SourceFormat::Tiff
        );
        assert_eq!(
            detect(Path::new("a.x"), b"II*\0\x10\0\0\0CR\x02\0"),
            SourceFormat::Raw
        );
        assert_eq!(
            detect(Path::new("a"), b"\0\0\0\x18ftypcrx \0\0\0\x01"),
            SourceFormat::Raw
        );
        assert_eq!(
            detect(Path::new("a"), b"\0\0\0\x18ftypheic\0\0\0\0"),
            SourceFormat::Heif
        );
        assert_eq!(
            detect(Path::new("a"), b"\0\0\0\x18ftypavif\0\0\0\0"),
            SourceFormat::Avif
        );
        assert_eq!(
            detect(Path::new("a"), b"\0\0\0\x18ftypisom\0\0\0\0"),
            SourceFormat::Video
        );
        assert_eq!(
            detect(Path::new("a.crw"), b"II\x1a\0\0\0HEAPCCDR"),
            SourceFormat::Raw
        );
        assert_eq!(
            detect(Path::new("a.x3f"), b"FOVb\0\0\x04\0"),
            SourceFormat::Unknown
        );
        assert_eq!(
            detect(Path::new("x.bin"), b"hello world"),
            SourceFormat::Unknown
        );
        assert_eq!(
            detect(Path::new("x"), b"<?xml version=\"1.0\"?><svg"),
            SourceFormat::Svg
        );
    }
}
