//! libheif (HEIC, HEIF and AVIF): open, list the primary image and its thumbnails, decode an
//! item to interleaved 8-bit RGB(A) (HDR items through our tone mapping), read the EXIF block.

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
    fn heif_image_handle_get_nclx_color_profile(
        handle: *const c_void,
        out: *mut *mut Nclx,
    ) -> HeifError;
    fn heif_nclx_color_profile_free(nclx: *mut Nclx);
    fn heif_image_get_bits_per_pixel_range(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_width(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_height(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_plane_readonly(
        img: *const c_void,
        channel: c_int,
        stride: *mut c_int,
    ) -> *const u8;
}

/// The leading fields of `struct heif_color_profile_nclx` (C enums are ints).
#[repr(C)]
struct Nclx {
    version: u8,
    color_primaries: c_int,
    transfer_characteristics: c_int,
    matrix_coefficients: c_int,
    full_range_flag: u8,
}

const COLORSPACE_RGB: c_int = 1;
const CHROMA_RRGGBB_LE: c_int = 14;
const CHROMA_RRGGBBAA_LE: c_int = 15;
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

/// A decoded image: interleaved 8-bit sRGB (or RGBA) rows, tightly packed.
pub(crate) struct Picture {
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    pub data: Vec<u8>,
}

/// An image item (the primary image or one of its thumbnails).
pub(crate) struct Item(ImageHandle);

impl Item {
    /// Size as displayed (libheif applies the item's rotation and mirroring).
    pub(crate) fn size(&self) -> (u32, u32) {
        // SAFETY: live handle.
        unsafe {
            (
                heif_image_handle_get_width(self.0 .0).max(0) as u32,
                heif_image_handle_get_height(self.0 .0).max(0) as u32,
            )
        }
    }
}

/// An open HEIF/AVIF file.
pub(crate) struct File {
    // Field order = drop order: handles before the context.
    pub primary: Item,
    pub thumbnails: Vec<Item>,
    pub exif: Option<Vec<u8>>,
    _ctx: Context,
}

static INIT: Once = Once::new();

/// Opens `path`. `max_width` bounds the image size libheif accepts (squared into a budget).
pub(crate) fn open(path: &std::path::Path, max_width: u32) -> Result<File, String> {
    INIT.call_once(|| {
        // SAFETY: null params are allowed; reference counted, never deinitialised.
        let _ = check(unsafe { heif_init(std::ptr::null_mut()) });
    });
    let cpath = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| "path contains a NUL byte".to_string())?;
    // SAFETY: all pointers come from libheif and are wrapped in RAII guards.
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
        let exif = read_exif(&primary);
        let mut thumbnails = Vec::new();
        let n = heif_image_handle_get_number_of_thumbnails(primary.0);
        if n > 0 {
            let mut ids = vec![0 as ItemId; n as usize];
            let got = heif_image_handle_get_list_of_thumbnail_IDs(primary.0, ids.as_mut_ptr(), n);
            for id in ids.into_iter().take(got.max(0) as usize) {
                let mut th = std::ptr::null_mut();
                if check(heif_image_handle_get_thumbnail(primary.0, id, &mut th)).is_ok() {
                    thumbnails.push(Item(ImageHandle(th)));
                }
            }
        }
        Ok(File {
            primary: Item(primary),
            thumbnails,
            exif,
            _ctx: ctx,
        })
    }
}

/// The item's nclx colour description: (primaries, transfer characteristics), if any.
unsafe fn nclx(handle: &ImageHandle) -> Option<(i32, i32)> {
    let mut p: *mut Nclx = std::ptr::null_mut();
    check(heif_image_handle_get_nclx_color_profile(handle.0, &mut p)).ok()?;
    if p.is_null() {
        return None;
    }
    let v = ((*p).color_primaries, (*p).transfer_characteristics);
    heif_nclx_color_profile_free(p);
    Some(v)
}

/// Decodes an item to 8-bit sRGB. SDR items use libheif's own conversion (any bit depth);
/// PQ and HLG items are decoded at full depth and tone-mapped by [`crate::hdr`].
pub(crate) fn decode(item: &Item) -> Result<Picture, String> {
    let handle = &item.0;
    // SAFETY: live handle; every image is released by its guard; plane reads stay within
    // height * stride as libheif reports them.
    unsafe {
        let has_alpha = heif_image_handle_has_alpha_channel(handle.0) != 0;
        let hdr = nclx(handle).and_then(|(prim, tc)| crate::hdr::Transfer::from_nclx(tc, prim));
        let chroma = match (hdr.is_some(), has_alpha) {
            (false, false) => CHROMA_RGB,
            (false, true) => CHROMA_RGBA,
            (true, false) => CHROMA_RRGGBB_LE,
            (true, true) => CHROMA_RRGGBBAA_LE,
        };
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
        let channels = if has_alpha { 4 } else { 3 };
        let bytes = if hdr.is_some() { 2 } else { 1 };
        let row = w as usize * channels * bytes;
        if (stride as usize) < row {
            return Err("libheif returned a short stride".into());
        }
        let mut data = Vec::with_capacity(w as usize * h as usize * channels);
        let bits = heif_image_get_bits_per_pixel_range(img.0, CHANNEL_INTERLEAVED);
        let luts = hdr.map(|t| (t, crate::hdr::Luts::new(t, bits.clamp(8, 16) as u32)));
        for y in 0..h as usize {
            let src = std::slice::from_raw_parts(plane.add(y * stride as usize), row);
            match &luts {
                None => data.extend_from_slice(src),
                Some((t, l)) => t.rows_to_srgb8(l, src, channels, &mut data),
            }
        }
        Ok(Picture {
            width: w as u32,
            height: h as u32,
            has_alpha,
            data,
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
