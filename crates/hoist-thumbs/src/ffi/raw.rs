//! Bindings to `native/raw_shim.c` (LibRaw 0.20's C API, thread-safe `libraw_r`).

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_ulong};
use std::path::Path;

const MSG_LEN: usize = 200;

#[repr(C)]
struct Job {
    flip: c_int,
    make: [c_char; 64],
    model: [c_char; 64],
    taken_at: [c_char; 32],
    raw_width: c_uint,
    raw_height: c_uint,
    thumb_type: c_int,
    thumb_width: c_uint,
    thumb_height: c_uint,
    thumb_colors: c_uint,
    thumb_bits: c_uint,
    thumb: *mut c_uchar,
    thumb_len: c_ulong,
    data_errors: c_int,
    message: [c_char; MSG_LEN],
}

extern "C" {
    fn hoist_raw_open(path: *const c_char, job: *mut Job) -> c_int;
    fn hoist_raw_free(job: *mut Job);
}

/// LibRaw's embedded thumbnail.
pub(crate) enum Thumb {
    Jpeg(Vec<u8>),
    /// 8-bit interleaved pixels, `colors` per pixel (1 or 3).
    Bitmap {
        width: u32,
        height: u32,
        colors: u32,
        data: Vec<u8>,
    },
}

/// What LibRaw says about a RAW file.
pub(crate) struct RawInfo {
    /// LibRaw's `sizes.flip` (0 none, 3 = 180, 5 = 90 ccw, 6 = 90 cw; bits 1/2/4 in general).
    pub flip: i32,
    pub make: String,
    pub model: String,
    /// EXIF-style "YYYY:MM:DD HH:MM:SS", empty when unknown.
    pub taken_at: String,
    /// Sensor image size (before orientation).
    pub width: u32,
    pub height: u32,
    pub thumb: Option<Thumb>,
    /// Why `thumb` is missing.
    pub thumb_error: String,
}

fn text(buf: &[c_char]) -> String {
    // SAFETY: the shim NUL-terminates every buffer (snprintf / memset).
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .trim()
        .to_string()
}

/// Opens `path` with LibRaw and extracts its thumbnail.
pub(crate) fn open(path: &Path) -> Result<RawInfo, String> {
    let c = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| "path contains a NUL byte".to_string())?;
    // SAFETY: Job is plain data; all-zero is a valid value (null pointer, empty strings).
    let mut job: Job = unsafe { std::mem::zeroed() };
    // SAFETY: valid path; `job` outlives the call.
    let rc = unsafe { hoist_raw_open(c.as_ptr(), &mut job) };
    if rc != 0 {
        return Err(text(&job.message));
    }
    let bytes = if job.thumb.is_null() {
        None
    } else {
        // SAFETY: the shim malloc'd thumb_len bytes at `thumb`; copied, then freed below.
        Some(unsafe { std::slice::from_raw_parts(job.thumb, job.thumb_len as usize) }.to_vec())
    };
    // SAFETY: frees the shim's buffer once.
    unsafe { hoist_raw_free(&mut job) };
    let thumb = bytes.and_then(|data| match job.thumb_type {
        1 => Some(Thumb::Jpeg(data)),
        2 if job.thumb_bits == 8 && matches!(job.thumb_colors, 1 | 3) => Some(Thumb::Bitmap {
            width: job.thumb_width,
            height: job.thumb_height,
            colors: job.thumb_colors,
            data,
        }),
        _ => None,
    });
    let mut thumb_error = text(&job.message);
    if thumb.is_none() && thumb_error.is_empty() {
        thumb_error = "LibRaw: unsupported thumbnail format".into();
    }
    if job.data_errors > 0 {
        tracing::debug!(errors = job.data_errors, "LibRaw reported data errors");
    }
    Ok(RawInfo {
        flip: job.flip,
        make: text(&job.make),
        model: text(&job.model),
        taken_at: text(&job.taken_at),
        width: job.raw_width,
        height: job.raw_height,
        thumb,
        thumb_error,
    })
}
