//! SVG and SVGZ through resvg (system fonts for text, loaded once per process).
//!
//! An SVG can name other files (`<image href="/home/me/secret.png">`), and
//! usvg's default loads them. SVGs come from anywhere, including a remote
//! library's previews, so nothing outside the SVG's own bytes is ever read:
//! no resources directory, and `<image>` hrefs that name a path or URL are
//! dropped. Images embedded as `data:` URLs are the drawing's own bytes and
//! still render.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use image::{DynamicImage, RgbaImage};
use resvg::{tiny_skia, usvg};

use super::Decoded;
use crate::error::ThumbError;
use crate::meta::CaptureMeta;

/// SVG files larger than this are not parsed (they are usually embedded raster dumps).
const MAX_SVG_BYTES: u64 = 64 << 20;

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        Arc::new(db)
    })
    .clone()
}

/// Renders the SVG so that it fits 2x `target` (or `target` for small drawings).
pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let len = std::fs::metadata(path)
        .map_err(|e| ThumbError::io(path, e))?
        .len();
    if len > MAX_SVG_BYTES {
        return Err(ThumbError::decode(
            "svg",
            format!("{len} bytes is too large"),
        ));
    }
    let data = std::fs::read(path).map_err(|e| ThumbError::io(path, e))?;
    let (image, tree_size) = render_svg(&data, target * 2, true)?;
    Ok(Decoded {
        image: DynamicImage::ImageRgba8(image),
        source_width: tree_size.0,
        source_height: tree_size.1,
        meta: CaptureMeta {
            orientation: 1,
            ..Default::default()
        },
        apply_orientation: 1,
        source: None,
    })
}

/// Options that read nothing but the SVG's own bytes (and system fonts).
fn options() -> usvg::Options<'static> {
    let mut opt = usvg::Options {
        resources_dir: None,
        ..usvg::Options::default()
    };
    opt.image_href_resolver = usvg::ImageHrefResolver {
        // data: URLs: decoded from the SVG itself; nested SVGs get these
        // same options, so they cannot name files either.
        resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
        // Anything else is a path or URL: never opened.
        resolve_string: Box::new(|href: &str, _: &usvg::Options| {
            tracing::debug!(href, "SVG names an external image; not loaded");
            None
        }),
    };
    opt
}

fn parse(data: &[u8], with_fonts: bool) -> Result<usvg::Tree, ThumbError> {
    let mut opt = options();
    if with_fonts {
        opt.fontdb = fonts();
    }
    usvg::Tree::from_data(data, &opt).map_err(|e| ThumbError::decode("svg", e))
}

/// Renders SVG bytes to fit in `edge` x `edge` pixels, returned as straight-alpha RGBA with
/// the drawing's own size. Also used for the generated type icons (`with_fonts` false: they
/// have no text).
pub(crate) fn render_svg(
    data: &[u8],
    edge: u32,
    with_fonts: bool,
) -> Result<(RgbaImage, (u32, u32)), ThumbError> {
    let tree = parse(data, with_fonts)?;
    let size = tree.size();
    let source = (size.width().ceil() as u32, size.height().ceil() as u32);
    let scale = (edge as f32 / size.width()).min(edge as f32 / size.height());
    let w = ((size.width() * scale).round() as u32).clamp(1, edge.max(1));
    let h = ((size.height() * scale).round() as u32).clamp(1, edge.max(1));
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| ThumbError::decode("svg", "cannot allocate canvas"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let mut out = Vec::with_capacity(w as usize * h as usize * 4);
    for p in pixmap.pixels() {
        let c = p.demultiply();
        out.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let image =
        RgbaImage::from_raw(w, h, out).ok_or_else(|| ThumbError::decode("svg", "canvas size"))?;
    Ok((image, source))
}
