/*
 * Thin C layer over libtiff's RGBA image interface, called from src/ffi/tiff.rs.
 *
 * Why libtiff: it is the reference TIFF reader. TIFFRGBAImage turns every common layout into
 * RGBA in one place: compressions (none, LZW, Deflate, PackBits, JPEG incl. YCbCr, CCITT
 * G3/G4), strips and tiles, chunky and planar, palette, gray, CMYK, 1-16 bits per sample.
 * Why C: TIFFRGBAImage is a struct whose layout only a C compiler knows, and error handlers
 * are C varargs callbacks.
 *
 * Memory: the image is read in bands of rows (one strip or one row of tiles) with
 * TIFFRGBAImageGet and row_offset, so a huge TIFF never needs its whole RGBA raster.
 * Orientation: we ask libtiff for the rows as stored (req_orientation = the file's) and the
 * caller applies the Orientation tag itself, because libtiff only flips and never transposes
 * (orientations 5-8).
 * Errors: handlers given with TIFFOpenExt are per file (safe with several worker threads)
 * and return 1 so nothing reaches stderr; the first error is kept, warnings are ignored
 * (camera and scanner files are full of private tags libtiff warns about).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#define HOIST_MSG 200

typedef struct {
  TIFF *tif;
  TIFFRGBAImage img;
  int img_ok;
  unsigned int width, height, band, orientation;
  int errors;
  char message[HOIST_MSG];
  char make[64], model[64], datetime[32];
} hoist_tiff;

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
  (void)tif;
  (void)module;
  hoist_tiff *h = (hoist_tiff *)user;
  if (h->errors++ == 0)
    vsnprintf(h->message, HOIST_MSG, fmt, ap);
  return 1;
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
  (void)tif;
  (void)user;
  (void)module;
  (void)fmt;
  (void)ap;
  return 1;
}

static void copy_tag(TIFF *tif, uint32_t tag, char *out, size_t len) {
  char *s = NULL;
  if (TIFFGetField(tif, tag, &s) == 1 && s) {
    strncpy(out, s, len - 1);
    out[len - 1] = 0;
  }
}

void hoist_tiff_close(hoist_tiff *h) {
  if (!h)
    return;
  if (h->img_ok)
    TIFFRGBAImageEnd(&h->img);
  if (h->tif)
    TIFFClose(h->tif);
  free(h);
}

/* Opens the first page. On failure returns NULL with the reason in `message`. */
hoist_tiff *hoist_tiff_open(const char *path, unsigned long max_alloc, unsigned long max_band,
                            char *message) {
  hoist_tiff *h = calloc(1, sizeof *h);
  if (!h) {
    snprintf(message, HOIST_MSG, "out of memory");
    return NULL;
  }
  TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
  if (!opts) {
    free(h);
    snprintf(message, HOIST_MSG, "out of memory");
    return NULL;
  }
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)max_alloc);
  TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, h);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, h);
  h->tif = TIFFOpenExt(path, "r", opts);
  TIFFOpenOptionsFree(opts);
  if (!h->tif) {
    snprintf(message, HOIST_MSG, "%s", h->errors ? h->message : "not a readable TIFF");
    hoist_tiff_close(h);
    return NULL;
  }
  char emsg[1024] = {0};
  if (!TIFFRGBAImageOK(h->tif, emsg) || !TIFFRGBAImageBegin(&h->img, h->tif, 1, emsg)) {
    snprintf(message, HOIST_MSG, "%s", emsg[0] ? emsg : (h->errors ? h->message : "unsupported layout"));
    hoist_tiff_close(h);
    return NULL;
  }
  h->img_ok = 1;
  h->width = h->img.width;
  h->height = h->img.height;
  h->orientation = h->img.orientation;
  h->img.req_orientation = h->img.orientation; /* rows as stored, see above */
  uint32_t rows = 0;
  if (TIFFIsTiled(h->tif)) {
    TIFFGetField(h->tif, TIFFTAG_TILELENGTH, &rows);
  } else {
    TIFFGetFieldDefaulted(h->tif, TIFFTAG_ROWSPERSTRIP, &rows);
  }
  if (rows == 0 || rows > h->height)
    rows = h->height;
  unsigned long row_bytes = (unsigned long)h->width * 4;
  if (row_bytes && rows * row_bytes > max_band) {
    /* Several bands per strip: libtiff re-reads the strip, slower but bounded memory. */
    rows = (uint32_t)(max_band / row_bytes);
    if (rows == 0)
      rows = 1;
  }
  h->band = rows;
  copy_tag(h->tif, TIFFTAG_MAKE, h->make, sizeof h->make);
  copy_tag(h->tif, TIFFTAG_MODEL, h->model, sizeof h->model);
  copy_tag(h->tif, TIFFTAG_DATETIME, h->datetime, sizeof h->datetime);
  return h;
}

/* Reads rows [row, row + rows) as ABGR-packed uint32 (libtiff's TIFFGetR/G/B/A order).
 * Returns 0, or -1 with the reason in h->message. Any error libtiff reported counts. */
int hoist_tiff_read(hoist_tiff *h, unsigned int row, unsigned int rows, uint32_t *raster) {
  h->img.row_offset = (int)row;
  h->img.col_offset = 0;
  int ok = TIFFRGBAImageGet(&h->img, raster, h->width, rows);
  if (!ok || h->errors) {
    if (!h->errors)
      snprintf(h->message, HOIST_MSG, "cannot read rows %u-%u", row, row + rows);
    return -1;
  }
  return 0;
}

/* Accessors, so Rust never mirrors the struct layout. */
void hoist_tiff_info(const hoist_tiff *h, unsigned int *width, unsigned int *height,
                     unsigned int *band, unsigned int *orientation) {
  *width = h->width;
  *height = h->height;
  *band = h->band;
  *orientation = h->orientation;
}

const char *hoist_tiff_message(const hoist_tiff *h) { return h->message; }

/* 0 make, 1 model, 2 date/time ("" when absent). */
const char *hoist_tiff_text(const hoist_tiff *h, int which) {
  return which == 0 ? h->make : which == 1 ? h->model : h->datetime;
}
