//! libheif (HEIC, HEIF and AVIF): open, pick the primary image or a large-enough embedded
//! thumbnail, decode to interleaved RGB(A), read the EXIF block.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_void};
use std::sync::Once;

#[repr(C)]
struct HeifError {
    code: c_int,
    subcode: c_int,
    message: *const c_char,
}

type ItemId = u32;

#[link(name = "heif")]
extern "C" {
    fn heif_init(params: *mut c_void) -> HeifError;
    fn heif_context_alloc() -> *mut c_void;
    fn heif_context_free(ctx: *mut c_void);
    fn heif_context_read_from_file(
        ctx: *mut c_void,
        filename: *const c_char,
        options: *const c_void,
    ) -> HeifError;
    fn heif_context_set_maximum_image_size_limit(ctx: *mut c_void, maximum_width: c_int);
    fn heif_context_get_primary_image_handle(ctx: *mut c_void, out: *mut *mut c_void) -> HeifError;
    fn heif_image_handle_release(handle: *const c_void);
    fn heif_image_handle_get_width(handle: *const c_void) -> c_int;
    fn heif_image_handle_get_height(handle: *const c_void) -> c_int;
    fn heif_image_handle_has_alpha_channel(handle: *const c_void) -> c_int;
    fn heif_image_handle_get_number_of_thumbnails(handle: *const c_void) -> c_int;
    fn heif_image_handle_get_list_of_thumbnail_IDs(
        handle: *const c_void,
        ids: *mut ItemId,
        count: c_int,
    ) -> c_int;
    fn heif_image_handle_get_thumbnail(
        handle: *const c_void,
        id: ItemId,
        out: *mut *mut c_void,
    ) -> HeifError;
    fn heif_image_handle_get_number_of_metadata_blocks(
        handle: *const c_void,
        type_filter: *const c_char,
    ) -> c_int;
    fn heif_image_handle_get_list_of_metadata_block_IDs(
        handle: *const c_void,
        type_filter: *const c_char,
        ids: *mut ItemId,
        count: c_int,
    ) -> c_int;
    fn heif_image_handle_get_metadata_size(handle: *const c_void, id: ItemId) -> usize;
    fn heif_image_handle_get_metadata(
        handle: *const c_void,
        id: ItemId,
        out: *mut c_void,
    ) -> HeifError;
    fn heif_decode_image(
        handle: *const c_void,
        out: *mut *mut c_void,
        colorspace: c_int,
        chroma: c_int,
        options: *const c_void,
    ) -> HeifError;
    fn heif_image_release(img: *const c_void);
    fn heif_image_get_width(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_height(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_plane_readonly(
        img: *const c_void,
        channel: c_int,
        stride: *mut c_int,
    ) -> *const u8;
}

const COLORSPACE_RGB: c_int = 1;
const CHROMA_RGB: c_int = 10;
const CHROMA_RGBA: c_int = 11;
const CHANNEL_INTERLEAVED: c_int = 10;

fn check(err: HeifError) -> Result<(), String> {
    if err.code == 0 {
        return Ok(());
    }
    let msg = if err.message.is_null() {
        format!("libheif error {}/{}", err.code, err.subcode)
    } else {
        // SAFETY: libheif returns a static NUL-terminated message.
        unsafe { CStr::from_ptr(err.message) }
            .to_string_lossy()
            .into_owned()
    };
    Err(msg)
}

struct Context(*mut c_void);
impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: allocated by heif_context_alloc, freed once.
        unsafe { heif_context_free(self.0) }
    }
}

struct ImageHandle(*mut c_void);
impl Drop for ImageHandle {
    fn drop(&mut self) {
        // SAFETY: obtained from libheif, released once.
        unsafe { heif_image_handle_release(self.0) }
    }
}

struct Image(*mut c_void);
impl Drop for Image {
    fn drop(&mut self) {
        // SAFETY: obtained from heif_decode_image, released once.
        unsafe { heif_image_release(self.0) }
    }
}

/// A decoded image: interleaved RGB or RGBA rows, tightly packed.
pub(crate) struct Decoded {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    pub data: Vec<u8>,
    /// Size of the primary image (what the person sees), transformations applied.
    pub source_width: u32,
    pub source_height: u32,
    /// The EXIF block (TIFF structure) when the file has one.
    pub exif: Option<Vec<u8>>,
}

static INIT: Once = Once::new();

/// Decodes `path`. When the file embeds a thumbnail whose long edge is at least `min_edge`,
/// that smaller image is decoded instead of the primary one (iPhone HEICs carry a 320 px
/// one). libheif applies the file's rotation/mirror itself. `max_width` bounds the image
/// size libheif accepts (it is squared into a pixel budget).
pub(crate) fn decode(
    path: &std::path::Path,
    min_edge: u32,
    max_width: u32,
) -> Result<Decoded, String> {
    INIT.call_once(|| {
        // SAFETY: null params are allowed; reference counted, never deinitialised.
        let _ = check(unsafe { heif_init(std::ptr::null_mut()) });
    });
    let cpath = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| "path contains a NUL byte".to_string())?;
    // SAFETY: all pointers below come from libheif and are wrapped in RAII guards released in
    // reverse order of creation (Rust drops locals in reverse declaration order).
    unsafe {
        let ctx = heif_context_alloc();
        if ctx.is_null() {
            return Err("heif_context_alloc failed".into());
        }
        let ctx = Context(ctx);
        heif_context_set_maximum_image_size_limit(ctx.0, max_width.min(i32::MAX as u32) as c_int);
        check(heif_context_read_from_file(
            ctx.0,
            cpath.as_ptr(),
            std::ptr::null(),
        ))?;
        let mut primary = std::ptr::null_mut();
        check(heif_context_get_primary_image_handle(ctx.0, &mut primary))?;
        let primary = ImageHandle(primary);
        let source_width = heif_image_handle_get_width(primary.0).max(0) as u32;
        let source_height = heif_image_handle_get_height(primary.0).max(0) as u32;
        let exif = read_exif(&primary);

        // Smallest embedded thumbnail that is still big enough.
        let mut chosen: Option<ImageHandle> = None;
        let n = heif_image_handle_get_number_of_thumbnails(primary.0);
        if n > 0 {
            let mut ids = vec![0 as ItemId; n as usize];
            let got = heif_image_handle_get_list_of_thumbnail_IDs(primary.0, ids.as_mut_ptr(), n);
            for id in ids.into_iter().take(got.max(0) as usize) {
                let mut th = std::ptr::null_mut();
                if check(heif_image_handle_get_thumbnail(primary.0, id, &mut th)).is_err() {
                    continue;
                }
                let th = ImageHandle(th);
                let edge =
                    heif_image_handle_get_width(th.0).max(heif_image_handle_get_height(th.0));
                let better = match &chosen {
                    None => true,
                    Some(c) => {
                        edge < heif_image_handle_get_width(c.0)
                            .max(heif_image_handle_get_height(c.0))
                    }
                };
                if edge >= min_edge as c_int && better {
                    chosen = Some(th);
                }
            }
        }
        let handle = chosen.as_ref().unwrap_or(&primary);
        let has_alpha = heif_image_handle_has_alpha_channel(handle.0) != 0;
        let chroma = if has_alpha { CHROMA_RGBA } else { CHROMA_RGB };
        let mut img = std::ptr::null_mut();
        check(heif_decode_image(
            handle.0,
            &mut img,
            COLORSPACE_RGB,
            chroma,
            std::ptr::null(),
        ))?;
        let img = Image(img);
        let w = heif_image_get_width(img.0, CHANNEL_INTERLEAVED);
        let h = heif_image_get_height(img.0, CHANNEL_INTERLEAVED);
        let mut stride = 0;
        let plane = heif_image_get_plane_readonly(img.0, CHANNEL_INTERLEAVED, &mut stride);
        if plane.is_null() || w <= 0 || h <= 0 || stride <= 0 {
            return Err("libheif returned no pixels".into());
        }
        let bpp = if has_alpha { 4 } else { 3 };
        let row = w as usize * bpp;
        if (stride as usize) < row {
            return Err("libheif returned a short stride".into());
        }
        let mut data = Vec::with_capacity(row * h as usize);
        for y in 0..h as usize {
            let src = std::slice::from_raw_parts(plane.add(y * stride as usize), row);
            data.extend_from_slice(src);
        }
        Ok(Decoded {
            width: w as u32,
            height: h as u32,
            has_alpha,
            data,
            source_width,
            source_height,
            exif,
        })
    }
}

/// The EXIF item, without the 4-byte "offset to TIFF header" prefix HEIF puts before it.
unsafe fn read_exif(handle: &ImageHandle) -> Option<Vec<u8>> {
    let filter = c"Exif";
    let n = heif_image_handle_get_number_of_metadata_blocks(handle.0, filter.as_ptr());
    if n <= 0 {
        return None;
    }
    let mut id: ItemId = 0;
    if heif_image_handle_get_list_of_metadata_block_IDs(handle.0, filter.as_ptr(), &mut id, 1) < 1 {
        return None;
    }
    let size = heif_image_handle_get_metadata_size(handle.0, id);
    if !(4..=(16 << 20)).contains(&size) {
        return None;
    }
    let mut buf = vec![0u8; size];
    check(heif_image_handle_get_metadata(
        handle.0,
        id,
        buf.as_mut_ptr().cast(),
    ))
    .ok()?;
    let skip = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize + 4;
    buf.get(skip..).map(|b| b.to_vec())
}
