//! Bindings to `native/webp_shim.c` (libwebp decode with built-in downscaling).

use std::os::raw::{c_int, c_uchar, c_uint};

#[repr(C)]
struct Job {
    target: c_uint,
    width: c_uint,
    height: c_uint,
    out_width: c_uint,
    out_height: c_uint,
    channels: c_uint,
    pixels: *mut c_uchar,
    status: c_int,
}

extern "C" {
    fn hoist_webp_decode(data: *const u8, len: usize, job: *mut Job) -> c_int;
    fn hoist_webp_free(job: *mut Job);
}

/// A decoded WebP, reduced to keep about twice `target`.
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    pub out_width: u32,
    pub out_height: u32,
    /// 3 (RGB) or 4 (RGBA).
    pub channels: u32,
    pub data: Vec<u8>,
}

/// Why libwebp did not decode.
pub(crate) enum Failure {
    /// Animated WebP: the caller decodes the first frame another way.
    Animated,
    /// libwebp's VP8StatusCode.
    Status(i32),
}

pub(crate) fn decode(data: &[u8], target: u32) -> Result<Pixels, Failure> {
    let mut job = Job {
        target,
        width: 0,
        height: 0,
        out_width: 0,
        out_height: 0,
        channels: 0,
        pixels: std::ptr::null_mut(),
        status: 0,
    };
    // SAFETY: `data` outlives the call and is only read; `job` is a valid out-parameter.
    let rc = unsafe { hoist_webp_decode(data.as_ptr(), data.len(), &mut job) };
    if rc != 0 {
        // SAFETY: frees nothing or the shim's buffer, once.
        unsafe { hoist_webp_free(&mut job) };
        return Err(if rc == 2 {
            Failure::Animated
        } else {
            Failure::Status(job.status)
        });
    }
    let len = job.out_width as usize * job.out_height as usize * job.channels as usize;
    // SAFETY: on success the shim allocated exactly out_width*out_height*channels bytes.
    let pixels = unsafe {
        let v = if job.pixels.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(job.pixels, len).to_vec()
        };
        hoist_webp_free(&mut job);
        v
    };
    Ok(Pixels {
        width: job.width,
        height: job.height,
        out_width: job.out_width,
        out_height: job.out_height,
        channels: job.channels,
        data: pixels,
    })
}
