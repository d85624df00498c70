//! Bindings to `native/tiff_shim.c` (libtiff's RGBA image interface, read in bands).

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_uint, c_ulong, c_void};
use std::path::Path;

const MSG_LEN: usize = 200;

extern "C" {
    fn hoist_tiff_open(
        path: *const c_char,
        max_alloc: c_ulong,
        max_band: c_ulong,
        message: *mut c_char,
    ) -> *mut c_void;
    fn hoist_tiff_close(h: *mut c_void);
    fn hoist_tiff_read(h: *mut c_void, row: c_uint, rows: c_uint, raster: *mut u32) -> c_int;
    fn hoist_tiff_info(
        h: *const c_void,
        width: *mut c_uint,
        height: *mut c_uint,
        band: *mut c_uint,
        orientation: *mut c_uint,
    );
    fn hoist_tiff_message(h: *const c_void) -> *const c_char;
    fn hoist_tiff_text(h: *const c_void, which: c_int) -> *const c_char;
}

/// An open TIFF, first page.
pub(crate) struct Tiff {
    h: *mut c_void,
    pub width: u32,
    pub height: u32,
    /// Rows per read (one strip or one row of tiles, capped).
    pub band: u32,
    /// TIFF Orientation tag, 1-8 (same meaning as EXIF's).
    pub orientation: u16,
}

impl Drop for Tiff {
    fn drop(&mut self) {
        // SAFETY: `h` came from hoist_tiff_open and is closed once.
        unsafe { hoist_tiff_close(self.h) }
    }
}

fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the shim returns NUL-terminated buffers that live as long as the handle.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

impl Tiff {
    /// Opens `path`; `max_alloc` caps libtiff's single allocations, `max_band` the band buffer.
    pub(crate) fn open(path: &Path, max_alloc: u64, max_band: u64) -> Result<Self, String> {
        let c = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| "path contains a NUL byte".to_string())?;
        let mut msg = [0 as c_char; MSG_LEN];
        // SAFETY: valid NUL-terminated path; `msg` has MSG_LEN bytes as the shim expects.
        let h = unsafe {
            hoist_tiff_open(
                c.as_ptr(),
                max_alloc as c_ulong,
                max_band as c_ulong,
                msg.as_mut_ptr(),
            )
        };
        if h.is_null() {
            return Err(text(msg.as_ptr()));
        }
        let (mut w, mut ht, mut band, mut o) = (0, 0, 0, 0);
        // SAFETY: `h` is a live handle; the out-pointers are valid.
        unsafe { hoist_tiff_info(h, &mut w, &mut ht, &mut band, &mut o) };
        Ok(Self {
            h,
            width: w,
            height: ht,
            band: band.max(1),
            orientation: if (1..=8).contains(&o) { o as u16 } else { 1 },
        })
    }

    /// Reads `rows` rows from `row` into `raster` (width * rows packed ABGR words).
    pub(crate) fn read(&mut self, row: u32, rows: u32, raster: &mut [u32]) -> Result<(), String> {
        if raster.len() < self.width as usize * rows as usize {
            return Err("band buffer too small".into());
        }
        // SAFETY: `raster` holds width*rows words (checked above); `h` is live.
        let rc = unsafe { hoist_tiff_read(self.h, row, rows, raster.as_mut_ptr()) };
        if rc != 0 {
            // SAFETY: live handle.
            return Err(text(unsafe { hoist_tiff_message(self.h) }));
        }
        Ok(())
    }

    /// Make, model and DateTime tags (empty when absent).
    pub(crate) fn texts(&self) -> [String; 3] {
        // SAFETY: live handle; indices 0-2 are defined by the shim.
        [0, 1, 2].map(|i| text(unsafe { hoist_tiff_text(self.h, i) }))
    }
}
