//! Local thumbnails for every format a creative drops.
//!
//! - [`render`]: one file to a small image (plain function, used by everything below).
//! - [`ThumbPool`]: a bounded set of worker threads off the async runtime; `request` returns a
//!   cached thumbnail file (content hash + size), `export` writes one to a chosen folder.
//! - [`ThumbCache`]: the on-disk cache (sharded folders, size cap, least-recently-used eviction).
//!
//! Damaged, unsupported or oversized files never fail the pool: they get a type icon
//! ([`icon::icon`]) and the reason is logged and returned in [`ThumbInfo::fallback`].
//!
//! How each format is decoded (fast paths first):
//!
//! | Format | Decoder |
//! |---|---|
//! | JPEG | libjpeg-turbo, DCT-scaled decode (1/8..1), EXIF orientation |
//! | PNG | `png`, streamed with a box pre-reduction (bounded memory); Adam7 via `image` |
//! | WebP | libwebp, decoded straight to ~2x the target size (animated: `image`, first frame) |
//! | GIF, TIFF, BMP | `image` with an allocation limit |
//! | HEIC/HEIF, AVIF | libheif (libde265, dav1d/aom), embedded thumbnail when big enough |
//! | SVG | resvg |
//! | Camera RAW | embedded JPEG preview, then the JPEG path |
//! | Video | `ffprobe` + `ffmpeg`, a frame at 1 s (out of process, with a deadline) |
//! | PDF | `pdftoppm`, first page (out of process, with a deadline) |

#![warn(missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};

use image::DynamicImage;
use serde::{Deserialize, Serialize};

mod cache;
mod decode;
mod encode;
mod error;
mod ffi;
mod format;
mod hdr;
pub mod icon;
mod meta;
mod panic_guard;
mod pool;
mod process;
mod quality;
pub mod resize;

pub use cache::ThumbCache;
pub use encode::{encode, Encoded};
pub use error::ThumbError;
pub use format::{detect, Family, SourceFormat};
pub use meta::CaptureMeta;
pub use pool::ThumbPool;

/// Smallest and largest thumbnail edge accepted.
pub const SIZE_RANGE: std::ops::RangeInclusive<u32> = 16..=2048;

/// A rendered thumbnail in memory.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// 8-bit gray, RGB or RGBA pixels, upright, fitting `size` x `size`.
    pub image: DynamicImage,
    /// Size of the source as a person sees it (after orientation).
    pub source_width: u32,
    /// See `source_width`.
    pub source_height: u32,
    /// What the source is.
    pub format: SourceFormat,
    /// Capture metadata.
    pub meta: CaptureMeta,
    /// Set when the picture came from a fallback source (e.g. "EXIF thumbnail").
    pub source: Option<String>,
}

/// A thumbnail file and what the UI shows next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThumbInfo {
    /// The thumbnail file (JPEG, or PNG when it has transparency).
    pub path: PathBuf,
    /// Thumbnail width in pixels.
    pub width: u32,
    /// Thumbnail height in pixels.
    pub height: u32,
    /// Source width as displayed (0 when unknown, e.g. for icons).
    pub source_width: u32,
    /// Source height as displayed.
    pub source_height: u32,
    /// Detected source format.
    pub format: SourceFormat,
    /// EXIF DateTimeOriginal (or the video's creation time), `YYYY-MM-DDTHH:MM:SS`.
    pub taken_at: Option<String>,
    /// Camera make and model.
    pub camera: Option<String>,
    /// Source EXIF orientation 1-8 (already applied to the thumbnail).
    pub orientation: u16,
    /// Set when the thumbnail is a type icon: why the file could not be previewed.
    pub fallback: Option<String>,
    /// Set when the thumbnail is a real picture from a fallback source (the preferred one
    /// failed, reported errors or came out blank): which source, e.g. "EXIF thumbnail".
    #[serde(default)]
    pub fallback_source: Option<String>,
}

/// Reads up to 64 bytes and detects the format.
fn sniff(path: &Path) -> Result<SourceFormat, ThumbError> {
    let mut head = [0u8; 64];
    let mut file = std::fs::File::open(path).map_err(|e| ThumbError::io(path, e))?;
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ThumbError::io(path, e)),
        }
    }
    Ok(detect(path, &head[..n]))
}

/// Renders a thumbnail of `path` fitting `size` x `size` (never enlarged).
///
/// Third-party decoders run under `catch_unwind`: a panic becomes [`ThumbError::Decode`].
pub fn render(path: &Path, size: u32) -> Result<Rendered, ThumbError> {
    if !SIZE_RANGE.contains(&size) {
        return Err(ThumbError::Unsupported(format!(
            "thumbnail size {size} outside {SIZE_RANGE:?}"
        )));
    }
    let format = sniff(path)?;
    let work = || -> Result<Rendered, ThumbError> {
        let d = decode::decode(path, format, size)?;
        let image = resize::to_thumbnail(d.image, size)?;
        let image = meta::apply_orientation(image, d.apply_orientation);
        let (source_width, source_height) = if meta::swaps_axes(d.apply_orientation) {
            (d.source_height, d.source_width)
        } else {
            (d.source_width, d.source_height)
        };
        Ok(Rendered {
            image,
            source_width,
            source_height,
            format,
            meta: d.meta,
            source: d.source,
        })
    };
    match panic_guard::run(work) {
        Ok(r) => r,
        Err(msg) => Err(ThumbError::decode(
            format.name(),
            format!("decoder panicked: {msg}"),
        )),
    }
}

/// A thumbnail ready to be written: encoded bytes plus its description (path still empty).
pub(crate) struct Produced {
    pub encoded: Encoded,
    pub info: ThumbInfo,
    /// False when the result should not be cached (a helper program was missing or slow).
    pub cacheable: bool,
}

/// Renders, falling back to a type icon for content errors (logged with the reason).
pub(crate) fn produce(path: &Path, size: u32) -> Result<Produced, ThumbError> {
    let (rendered, fallback, cacheable) = match render(path, size) {
        Ok(r) => (r, None, true),
        Err(e) if e.is_content_error() => {
            let format = match sniff(path) {
                Ok(SourceFormat::Unknown) | Err(_) => format::from_extension(path),
                Ok(f) => f,
            };
            tracing::warn!(path = %path.display(), reason = %e, "no preview, using a type icon");
            let cacheable = !matches!(e, ThumbError::Tool { .. });
            let r = Rendered {
                image: icon::icon(
                    format.family(),
                    size.clamp(*SIZE_RANGE.start(), *SIZE_RANGE.end()),
                ),
                source_width: 0,
                source_height: 0,
                format,
                meta: CaptureMeta::default(),
                source: None,
            };
            (r, Some(e.to_string()), cacheable)
        }
        Err(e) => return Err(e),
    };
    let encoded = encode(&rendered.image)?;
    let info = ThumbInfo {
        path: PathBuf::new(),
        width: rendered.image.width(),
        height: rendered.image.height(),
        source_width: rendered.source_width,
        source_height: rendered.source_height,
        format: rendered.format,
        taken_at: rendered.meta.taken_at,
        camera: rendered.meta.camera,
        orientation: rendered.meta.orientation.max(1),
        fallback,
        fallback_source: rendered.source,
    };
    Ok(Produced {
        encoded,
        info,
        cacheable,
    })
}

/// Writes `bytes` to `dest` atomically (temporary file in the same folder, then rename).
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), ThumbError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("thumb");
    let tmp = dest.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| ThumbError::io(&tmp, e))?;
    std::fs::rename(&tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ThumbError::io(dest, e)
    })
}

/// Renders `path` (or its type icon) into `dest_stem` + ".jpg"/".png", without the cache.
pub fn render_to_file(path: &Path, size: u32, dest_stem: &Path) -> Result<ThumbInfo, ThumbError> {
    let p = produce(path, size)?;
    let mut dest = dest_stem.as_os_str().to_owned();
    dest.push(".");
    dest.push(p.encoded.ext);
    let dest = PathBuf::from(dest);
    write_atomic(&dest, &p.encoded.bytes)?;
    Ok(ThumbInfo {
        path: dest,
        ..p.info
    })
}
