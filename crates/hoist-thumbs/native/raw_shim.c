/*
 * Thin C layer over LibRaw's C API (libraw_r, thread-safe), called from src/ffi/raw.rs.
 *
 * Why LibRaw: it is what darktable, RawTherapee and digiKam use, and it knows where every
 * camera keeps its preview (CR2/CR3, NEF, ARW, RAF, RW2, ORF, DNG, PEF, SRW...), plus the
 * orientation and capture metadata. We never demosaic: only the embedded thumbnail is used.
 * Why C: libraw_data_t is a large struct whose layout only a C compiler knows.
 *
 * Debian 12 ships LibRaw 0.20.2, which exposes one thumbnail per file (the one LibRaw judges
 * best, normally the largest); the list of all thumbnails (libraw_thumbnail_list_t) came in
 * 0.21. The caller looks for the others itself. LibRaw's default data-error callback prints
 * to stderr: ours counts the errors instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libraw/libraw.h>

#define HOIST_MSG 200

typedef struct {
  /* out */
  int flip;                      /* LibRaw sizes.flip: 0, 3 (180), 5 (90 ccw), 6 (90 cw)... */
  char make[64], model[64];
  char taken_at[32];             /* "YYYY:MM:DD HH:MM:SS" or "" */
  unsigned int raw_width, raw_height;
  int thumb_type;                /* 0 none, 1 JPEG, 2 bitmap (8-bit RGB or gray) */
  unsigned int thumb_width, thumb_height, thumb_colors, thumb_bits;
  unsigned char *thumb;          /* malloc'd; free with hoist_raw_free */
  unsigned long thumb_len;
  int data_errors;
  char message[HOIST_MSG];       /* why there is no thumbnail, or the open error */
} hoist_raw;

static void on_data_error(void *data, const char *file, const int offset) {
  (void)file;
  (void)offset;
  ((hoist_raw *)data)->data_errors++;
}

static void on_mem_error(void *data, const char *file, const char *where) {
  (void)file;
  hoist_raw *job = (hoist_raw *)data;
  job->data_errors++;
  snprintf(job->message, HOIST_MSG, "LibRaw out of memory in %s", where ? where : "?");
}

void hoist_raw_free(hoist_raw *job) {
  free(job->thumb);
  job->thumb = NULL;
}

/* Returns 0 when LibRaw recognised the file (thumb may still be NULL, see message), else -1. */
int hoist_raw_open(const char *path, hoist_raw *job) {
  memset(job, 0, sizeof *job);
  libraw_data_t *lr = libraw_init(0);
  if (!lr) {
    snprintf(job->message, HOIST_MSG, "libraw_init failed");
    return -1;
  }
  libraw_set_dataerror_handler(lr, on_data_error, job);
  libraw_set_memerror_handler(lr, on_mem_error, job);
  int rc = libraw_open_file(lr, path);
  if (rc != LIBRAW_SUCCESS) {
    snprintf(job->message, HOIST_MSG, "LibRaw: %s", libraw_strerror(rc));
    libraw_close(lr);
    return -1;
  }
  job->flip = lr->sizes.flip;
  snprintf(job->make, sizeof job->make, "%s", lr->idata.make);
  snprintf(job->model, sizeof job->model, "%s", lr->idata.model);
  job->raw_width = lr->sizes.width;
  job->raw_height = lr->sizes.height;
  if (lr->other.timestamp > 0) {
    /* LibRaw parsed the EXIF date with mktime (local time): localtime undoes it exactly. */
    time_t t = lr->other.timestamp;
    struct tm tm;
    if (localtime_r(&t, &tm))
      strftime(job->taken_at, sizeof job->taken_at, "%Y:%m:%d %H:%M:%S", &tm);
  }
  rc = libraw_unpack_thumb(lr);
  if (rc != LIBRAW_SUCCESS) {
    snprintf(job->message, HOIST_MSG, "LibRaw thumbnail: %s", libraw_strerror(rc));
    libraw_close(lr);
    return 0;
  }
  int err = 0;
  libraw_processed_image_t *img = libraw_dcraw_make_mem_thumb(lr, &err);
  if (!img) {
    snprintf(job->message, HOIST_MSG, "LibRaw thumbnail: %s", libraw_strerror(err));
    libraw_close(lr);
    return 0;
  }
  job->thumb = malloc(img->data_size ? img->data_size : 1);
  if (job->thumb) {
    memcpy(job->thumb, img->data, img->data_size);
    job->thumb_len = img->data_size;
    job->thumb_type = img->type == LIBRAW_IMAGE_JPEG ? 1 : 2;
    job->thumb_width = img->width;
    job->thumb_height = img->height;
    job->thumb_colors = img->colors;
    job->thumb_bits = img->bits;
  } else {
    snprintf(job->message, HOIST_MSG, "out of memory");
  }
  libraw_dcraw_clear_mem(img);
  libraw_close(lr);
  return 0;
}
