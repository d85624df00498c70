//! Helpers that build sample files in the tests themselves (no third-party images).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use image::{DynamicImage, Rgb, RgbImage};

pub const RED: [u8; 3] = [220, 20, 20];
pub const BLUE: [u8; 3] = [20, 20, 220];
pub const GREEN: [u8; 3] = [20, 200, 20];

/// Left half red, right half blue.
pub fn halves(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, _| if x < w / 2 { Rgb(RED) } else { Rgb(BLUE) })
}

/// Blue with a red top-left quadrant: shows where orientation moved things.
pub fn red_corner(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        if x < w / 2 && y < h / 2 {
            Rgb(RED)
        } else {
            Rgb(BLUE)
        }
    })
}

pub fn solid(w: u32, h: u32, c: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb(c))
}

/// Colour distance small enough to call it the same colour after JPEG and resizing.
pub fn near(px: [u8; 3], c: [u8; 3]) -> bool {
    px.iter()
        .zip(c)
        .all(|(a, b)| (*a as i32 - b as i32).abs() < 60)
}

pub fn pixel(img: &DynamicImage, fx: f32, fy: f32) -> [u8; 3] {
    let rgb = img.to_rgb8();
    let x = ((rgb.width() as f32 * fx) as u32).min(rgb.width() - 1);
    let y = ((rgb.height() as f32 * fy) as u32).min(rgb.height() - 1);
    rgb.get_pixel(x, y).0
}

/// Asserts left half red, right half blue.
pub fn assert_halves(img: &DynamicImage) {
    let (l, r) = (pixel(img, 0.2, 0.5), pixel(img, 0.8, 0.5));
    assert!(near(l, RED), "left should be red, got {l:?}");
    assert!(near(r, BLUE), "right should be blue, got {r:?}");
}

pub fn jpeg_bytes(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("encode jpeg");
    out
}

/// Builds a TIFF structure (little endian). Each IFD is a list of entries; values that do not
/// fit in 4 bytes are appended after the IFDs. Offsets given as `Value::Offset` are absolute.
pub enum Value {
    Short(u16),
    Long(u32),
    Ascii(String),
    Longs(Vec<u32>),
    Shorts(Vec<u16>),
    Bytes(Vec<u8>),
}

pub struct TiffBuilder {
    pub data: Vec<u8>,
}

impl TiffBuilder {
    /// `magic` is the 4 header bytes ("II*\0", "IIRO"...).
    pub fn new(magic: &[u8; 4]) -> Self {
        let mut data = magic.to_vec();
        data.extend_from_slice(&0u32.to_le_bytes()); // IFD0 offset, patched by `ifd`
        Self { data }
    }

    pub fn pad_to(&mut self, len: usize) {
        if self.data.len() < len {
            self.data.resize(len, 0);
        }
    }

    /// Appends raw bytes, returns their offset.
    pub fn blob(&mut self, bytes: &[u8]) -> u32 {
        if self.data.len() % 2 == 1 {
            self.data.push(0);
        }
        let off = self.data.len() as u32;
        self.data.extend_from_slice(bytes);
        off
    }

    /// Appends an IFD, returns its offset. When `first` it becomes IFD0.
    pub fn ifd(&mut self, entries: Vec<(u16, Value)>, next: u32, first: bool) -> u32 {
        // Out-of-line values first.
        let mut fields = Vec::new();
        for (tag, v) in entries {
            let (typ, count, bytes): (u16, u32, Vec<u8>) = match v {
                Value::Short(s) => (3, 1, s.to_le_bytes().to_vec()),
                Value::Long(l) => (4, 1, l.to_le_bytes().to_vec()),
                Value::Ascii(s) => {
                    let mut b = s.into_bytes();
                    b.push(0);
                    (2, b.len() as u32, b)
                }
                Value::Longs(v) => (
                    4,
                    v.len() as u32,
                    v.iter().flat_map(|x| x.to_le_bytes()).collect(),
                ),
                Value::Shorts(v) => (
                    3,
                    v.len() as u32,
                    v.iter().flat_map(|x| x.to_le_bytes()).collect(),
                ),
                Value::Bytes(b) => (7, b.len() as u32, b),
            };
            let field = if bytes.len() <= 4 {
                let mut f = bytes.clone();
                f.resize(4, 0);
                f
            } else {
                self.blob(&bytes).to_le_bytes().to_vec()
            };
            fields.push((tag, typ, count, field));
        }
        fields.sort_by_key(|f| f.0);
        let off = self.blob(&[]);
        self.data
            .extend_from_slice(&(fields.len() as u16).to_le_bytes());
        for (tag, typ, count, field) in fields {
            self.data.extend_from_slice(&tag.to_le_bytes());
            self.data.extend_from_slice(&typ.to_le_bytes());
            self.data.extend_from_slice(&count.to_le_bytes());
            self.data.extend_from_slice(&field);
        }
        self.data.extend_from_slice(&next.to_le_bytes());
        if first {
            self.data[4..8].copy_from_slice(&off.to_le_bytes());
        }
        off
    }
}

/// A minimal EXIF (TIFF) block: orientation, make, model, DateTimeOriginal.
pub fn exif_tiff(orientation: u16, make: &str, model: &str, date: &str) -> Vec<u8> {
    let mut t = TiffBuilder::new(b"II*\0");
    let exif_ifd = t.ifd(vec![(0x9003, Value::Ascii(date.into()))], 0, false);
    t.ifd(
        vec![
            (0x010F, Value::Ascii(make.into())),
            (0x0110, Value::Ascii(model.into())),
            (0x0112, Value::Short(orientation)),
            (0x8769, Value::Long(exif_ifd)),
        ],
        0,
        true,
    );
    t.data
}

/// Inserts an APP1 Exif segment right after SOI.
pub fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write sample");
    p
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/thumbs")
        .join(name)
}

/// Runs a program the tests need (installed by scripts/apt-packages.txt); fails the test with
/// a clear message when it is missing or fails, never skips.
pub fn run_tool(program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed by this test ({e}); scripts/setup.sh installs it")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// True when an external program runs (ffmpeg, pdftoppm). Tests that need one fail loudly
/// when it is missing, because scripts/apt-packages.txt installs it.
pub fn have(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("-h")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}
