//! Bindings to `native/jpeg_shim.c` (libjpeg-turbo's classic API).

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_uchar, c_uint, c_ulong, c_void};
use std::path::Path;

const MSG_LEN: usize = 200;

#[repr(C)]
struct Job {
    target: c_uint,
    max_memory: c_ulong,
    width: c_uint,
    height: c_uint,
    out_width: c_uint,
    out_height: c_uint,
    components: c_uint,
    inverted_cmyk: c_int,
    pixels: *mut c_uchar,
    exif: *mut c_uchar,
    exif_len: c_ulong,
    warnings: c_int,
    message: [c_char; MSG_LEN],
    damaged: c_int,
    damage: [c_char; MSG_LEN],
}

extern "C" {
    fn hoist_jpeg_decode(
        file: *mut c_void,
        buf: *const c_uchar,
        len: c_ulong,
        job: *mut Job,
    ) -> c_int;
    fn hoist_jpeg_free(job: *mut Job);
    fn hoist_jpeg_encode(
        pixels: *const c_uchar,
        width: c_uint,
        height: c_uint,
        components: c_int,
        quality: c_int,
        out: *mut *mut c_uchar,
        out_len: *mut c_ulong,
        message: *mut c_char,
    ) -> c_int;
    fn hoist_jpeg_free_buffer(buf: *mut c_uchar);
    fn fopen(path: *const c_char, mode: *const c_char) -> *mut c_void;
    fn fclose(file: *mut c_void) -> c_int;
}

/// A decoded, DCT-downscaled JPEG.
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    pub out_width: u32,
    pub out_height: u32,
    /// 1 gray, 3 RGB, 4 CMYK.
    pub components: u32,
    pub inverted_cmyk: bool,
    pub data: Vec<u8>,
    pub exif: Option<Vec<u8>>,
    /// First libjpeg warning (e.g. "Premature end of JPEG file") if any.
    pub warning: Option<String>,
    /// First warning that means picture data is missing or corrupt.
    pub damage: Option<String>,
}

/// Where the JPEG comes from.
pub(crate) enum Source<'a> {
    File(&'a Path),
    Memory(&'a [u8]),
}

fn message(buf: &[c_char; MSG_LEN]) -> String {
    // SAFETY: the shim always NUL-terminates (snprintf / libjpeg's format_message).
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    if s.is_empty() {
        "unknown libjpeg error".into()
    } else {
        s
    }
}

/// Decodes keeping at least twice `target` px, with libjpeg's allocations capped at `max_memory`.
pub(crate) fn decode(src: Source<'_>, target: u32, max_memory: u64) -> Result<Pixels, String> {
    let mut job = Job {
        target,
        max_memory: max_memory as c_ulong,
        width: 0,
        height: 0,
        out_width: 0,
        out_height: 0,
        components: 0,
        inverted_cmyk: 0,
        pixels: std::ptr::null_mut(),
        exif: std::ptr::null_mut(),
        exif_len: 0,
        warnings: 0,
        message: [0; MSG_LEN],
        damaged: 0,
        damage: [0; MSG_LEN],
    };
    let rc = match src {
        Source::File(path) => {
            let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                .map_err(|_| "path contains a NUL byte".to_string())?;
            // SAFETY: valid NUL-terminated strings; the FILE is closed below.
            let f = unsafe { fopen(c.as_ptr(), c"rb".as_ptr()) };
            if f.is_null() {
                return Err(format!("cannot open {}", path.display()));
            }
            // SAFETY: `f` is an open FILE*, `job` lives for the call.
            let rc = unsafe { hoist_jpeg_decode(f, std::ptr::null(), 0, &mut job) };
            // SAFETY: opened above, closed once.
            unsafe { fclose(f) };
            rc
        }
        // SAFETY: the slice outlives the call; libjpeg only reads it.
        Source::Memory(buf) => unsafe {
            hoist_jpeg_decode(
                std::ptr::null_mut(),
                buf.as_ptr(),
                buf.len() as c_ulong,
                &mut job,
            )
        },
    };
    if rc != 0 {
        // SAFETY: the shim freed and nulled its buffers on error; calling free is harmless.
        unsafe { hoist_jpeg_free(&mut job) };
        return Err(message(&job.message));
    }
    let len = job.out_width as usize * job.out_height as usize * job.components as usize;
    // SAFETY: on success the shim allocated exactly out_width*out_height*components bytes
    // (and exif_len bytes of EXIF when non-null); we copy them and free via the shim.
    let (data, exif) = unsafe {
        let data = if job.pixels.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(job.pixels, len).to_vec()
        };
        let exif = (!job.exif.is_null() && job.exif_len > 0)
            .then(|| std::slice::from_raw_parts(job.exif, job.exif_len as usize).to_vec());
        hoist_jpeg_free(&mut job);
        (data, exif)
    };
    Ok(Pixels {
        width: job.width,
        height: job.height,
        out_width: job.out_width,
        out_height: job.out_height,
        components: job.components,
        inverted_cmyk: job.inverted_cmyk != 0,
        data,
        exif,
        warning: (job.warnings > 0).then(|| message(&job.message)),
        damage: (job.damaged > 0).then(|| message(&job.damage)),
    })
}

/// Encodes 8-bit gray (1) or RGB (3) pixels as a baseline JPEG with optimised Huffman tables.
pub(crate) fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    components: u32,
    quality: u8,
) -> Result<Vec<u8>, String> {
    if !matches!(components, 1 | 3)
        || width == 0
        || height == 0
        || pixels.len() < width as usize * height as usize * components as usize
    {
        return Err("pixel buffer does not match its size".into());
    }
    let mut out: *mut c_uchar = std::ptr::null_mut();
    let mut len: c_ulong = 0;
    let mut msg = [0 as c_char; MSG_LEN];
    // SAFETY: `pixels` holds width*height*components bytes (checked above); the shim allocates
    // `out`, which we copy and free through the shim.
    unsafe {
        let rc = hoist_jpeg_encode(
            pixels.as_ptr(),
            width,
            height,
            components as c_int,
            quality as c_int,
            &mut out,
            &mut len,
            msg.as_mut_ptr(),
        );
        if rc != 0 || out.is_null() {
            if !out.is_null() {
                hoist_jpeg_free_buffer(out);
            }
            return Err(message(&msg));
        }
        let v = std::slice::from_raw_parts(out, len as usize).to_vec();
        hoist_jpeg_free_buffer(out);
        Ok(v)
    }
}
