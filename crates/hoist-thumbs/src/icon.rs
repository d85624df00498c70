//! Type icons for files we cannot (or may not) preview: a page with a glyph per family,
//! drawn from small inline SVGs with resvg, so they are crisp at any size and need no assets.

use image::{DynamicImage, RgbImage};

use crate::decode::svg::render_svg;
use crate::format::Family;

const PAGE: &str = r##"<rect width="256" height="256" fill="#F4F5F7"/>
<path d="M72 36h84l44 44v140a8 8 0 0 1-8 8H72a8 8 0 0 1-8-8V44a8 8 0 0 1 8-8z" fill="#FFFFFF" stroke="#CDD2D9" stroke-width="4" stroke-linejoin="round"/>
<path d="M156 36v36a8 8 0 0 0 8 8h36" fill="#E8EBEF" stroke="#CDD2D9" stroke-width="4" stroke-linejoin="round"/>"##;

fn glyph(family: Family) -> (&'static str, &'static str) {
    match family {
        Family::Image => (
            "#2563EB",
            r#"<circle cx="106" cy="128" r="12" fill="C"/><path d="M84 192l32-42 20 24 14-16 26 34z" fill="C"/>"#,
        ),
        Family::Raw => (
            "#D97706",
            r#"<circle cx="132" cy="156" r="34" fill="none" stroke="C" stroke-width="10"/><circle cx="132" cy="156" r="12" fill="C"/>"#,
        ),
        Family::Video => (
            "#7C3AED",
            r#"<rect x="90" y="118" width="84" height="72" rx="10" fill="none" stroke="C" stroke-width="8"/><path d="M120 136v36l30-18z" fill="C"/>"#,
        ),
        Family::Document => (
            "#DC2626",
            r#"<rect x="92" y="120" width="80" height="9" rx="4.5" fill="C"/><rect x="92" y="142" width="80" height="9" rx="4.5" fill="C"/><rect x="92" y="164" width="80" height="9" rx="4.5" fill="C"/><rect x="92" y="186" width="48" height="9" rx="4.5" fill="C"/>"#,
        ),
        Family::Other => (
            "#6B7280",
            r#"<path d="M116 138a16 16 0 1 1 24 14c-6 4-8 8-8 14" fill="none" stroke="C" stroke-width="10" stroke-linecap="round"/><circle cx="132" cy="188" r="6.5" fill="C"/>"#,
        ),
    }
}

/// The SVG source of a family's icon.
pub fn icon_svg(family: Family) -> String {
    let (colour, body) = glyph(family);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">{PAGE}{}</svg>"#,
        body.replace("\"C\"", &format!("\"{colour}\""))
    )
}

/// A square, opaque icon of `size` px for `family`. Never fails: if rendering the SVG ever
/// did, a flat tile of the family colour is returned.
pub fn icon(family: Family, size: u32) -> DynamicImage {
    let size = size.max(1);
    match render_svg(icon_svg(family).as_bytes(), size, false) {
        Ok((rgba, _)) => DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).to_rgb8()),
        Err(e) => {
            tracing::error!(err = %e, "type icon failed to render");
            DynamicImage::ImageRgb8(RgbImage::from_pixel(
                size,
                size,
                image::Rgb([200, 204, 210]),
            ))
        }
    }
}
