//! Telling a real picture from a blank one: a decoder that "succeeds" on a damaged preview
//! often gives a flat grey or black image. Used to prefer another source of the same file.

use image::DynamicImage;

/// Largest spread (max - min) of any channel, over a sample grid, that still counts as one
/// flat colour. JPEG noise on a flat area stays well below it; any real content exceeds it.
const FLAT_SPREAD: u8 = 10;

/// True when every sampled pixel has nearly the same colour (alpha ignored).
pub(crate) fn near_uniform(img: &DynamicImage) -> bool {
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return true;
    }
    let steps = 48u32;
    let mut lo = [255u8; 3];
    let mut hi = [0u8; 3];
    let mut visit = |p: [u8; 3]| {
        for c in 0..3 {
            lo[c] = lo[c].min(p[c]);
            hi[c] = hi[c].max(p[c]);
        }
    };
    for j in 0..steps.min(h) {
        let y = (j as u64 * h as u64 / steps.min(h) as u64) as u32;
        for i in 0..steps.min(w) {
            let x = (i as u64 * w as u64 / steps.min(w) as u64) as u32;
            visit(match img {
                DynamicImage::ImageLuma8(g) => {
                    let v = g.get_pixel(x, y).0[0];
                    [v, v, v]
                }
                DynamicImage::ImageRgb8(i) => i.get_pixel(x, y).0,
                DynamicImage::ImageRgba8(i) => {
                    let p = i.get_pixel(x, y).0;
                    [p[0], p[1], p[2]]
                }
                other => {
                    let p = other.to_rgb8();
                    return near_uniform(&DynamicImage::ImageRgb8(p));
                }
            });
        }
    }
    (0..3).all(|c| hi[c] - lo[c] <= FLAT_SPREAD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    #[test]
    fn flat_and_busy_pictures() {
        let flat = RgbImage::from_pixel(100, 80, Rgb([128, 128, 128]));
        assert!(near_uniform(&DynamicImage::ImageRgb8(flat)));
        let busy = RgbImage::from_fn(100, 80, |x, _| Rgb([if x < 50 { 0 } else { 200 }, 0, 0]));
        assert!(!near_uniform(&DynamicImage::ImageRgb8(busy)));
    }
}
