//! Small bindings to the C libraries we link from Debian 12.
//!
//! - `jpeg`: our C shim over libjpeg-turbo's classic API (see `native/jpeg_shim.c` for why).
//! - `webp`: our C shim over libwebp's advanced decoding API (scaled decode).
//! - `raw`: our C shim over LibRaw 0.20's C API (embedded thumbnail, orientation, metadata).
//! - `tiff`: our C shim over libtiff's TIFFRGBAImage (every compression and layout, in bands).
//! - `heif`: hand-written bindings to libheif. The `libheif-rs` crate needs libheif >= 1.17,
//!   Debian 12 ships 1.15.1; the functions used here are stable since libheif 1.9.

pub(crate) mod heif;
pub(crate) mod jpeg;
pub(crate) mod raw;
pub(crate) mod tiff;
pub(crate) mod webp;
