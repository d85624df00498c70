/*
 * Thin C layer over libjpeg(-turbo)'s classic API, called from src/ffi/jpeg.rs.
 *
 * Why C and not Rust FFI: the libjpeg structs are large and their layout depends on the
 * library's build (jconfig.h), so only a C compiler can lay them out safely; libjpeg's error
 * handling needs setjmp/longjmp, which Rust cannot do. Why the classic API and not
 * TurboJPEG's: it reads from a FILE* in small chunks (the TurboJPEG 2.x API wants the whole
 * file in memory, which for two workers and 10-20 MB photos doubles our peak RSS), lets us
 * cap libjpeg's own allocations (max_memory_to_use) and count progressive scans.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

#define HOIST_MSG 200
#define HOIST_MAX_SCANS 500

typedef struct {
  /* in */
  unsigned int target;          /* thumbnail edge; decode keeps >= 2x this */
  unsigned long max_memory;     /* cap on libjpeg's allocations */
  /* out */
  unsigned int width, height;   /* stored image size */
  unsigned int out_width, out_height, components; /* decoded (1 gray, 3 RGB, 4 CMYK) */
  int inverted_cmyk;            /* Adobe-style inverted CMYK */
  unsigned char *pixels;        /* malloc'd; free with hoist_jpeg_free */
  unsigned char *exif;          /* malloc'd copy of the TIFF payload of APP1 Exif, or NULL */
  unsigned long exif_len;
  int warnings;
  char message[HOIST_MSG];
  /* Warnings that mean missing or corrupt picture data (the decode "succeeds" with grey or
   * garbled parts): counted apart from harmless ones such as padding between markers. */
  int damaged;
  char damage[HOIST_MSG];
} hoist_jpeg;

struct err_mgr {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  hoist_jpeg *job;
};

static void on_error(j_common_ptr cinfo) {
  struct err_mgr *err = (struct err_mgr *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, err->job->message);
  longjmp(err->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
  struct err_mgr *err = (struct err_mgr *)cinfo->err;
  if (level < 0) { /* warning: keep the first one */
    if (err->job->warnings++ == 0)
      (*cinfo->err->format_message)(cinfo, err->job->message);
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION:
      if (err->job->damaged++ == 0)
        (*cinfo->err->format_message)(cinfo, err->job->damage);
      break;
    default:
      break;
    }
  }
}

struct progress {
  struct jpeg_progress_mgr pub;
  hoist_jpeg *job;
};

static void on_progress(j_common_ptr cinfo) {
  j_decompress_ptr d = (j_decompress_ptr)cinfo;
  if (d->is_decompressor && d->progressive_mode && d->input_scan_number > HOIST_MAX_SCANS) {
    struct err_mgr *err = (struct err_mgr *)cinfo->err;
    snprintf(err->job->message, HOIST_MSG, "more than %d progressive scans", HOIST_MAX_SCANS);
    longjmp(err->jump, 1);
  }
}

/*
 * A FILE* source with a 64 KiB buffer. libjpeg-turbo's stock jpeg_stdio_src refills 4 KiB at a
 * time, and its fast Huffman path only runs while at least 512 bytes are buffered, so with
 * 4 KiB refills an eighth of a noisy file went through the slow path (14% of all instructions
 * under callgrind on a 24 MP file). Same end-of-file handling as libjpeg's jdatasrc.c.
 */
#define HOIST_SRC_BUF (64 * 1024)
struct file_src {
  struct jpeg_source_mgr pub;
  FILE *file;
  JOCTET *buffer;
  boolean start;
};

static void src_init(j_decompress_ptr cinfo) {
  ((struct file_src *)cinfo->src)->start = TRUE;
}

static boolean src_fill(j_decompress_ptr cinfo) {
  static const JOCTET eoi[2] = {0xFF, JPEG_EOI};
  struct file_src *src = (struct file_src *)cinfo->src;
  size_t n = fread(src->buffer, 1, HOIST_SRC_BUF, src->file);
  if (n == 0) {
    if (src->start) ERREXIT(cinfo, JERR_INPUT_EMPTY);
    WARNMS(cinfo, JWRN_JPEG_EOF);
    src->pub.next_input_byte = eoi; /* a fake EOI ends a truncated file cleanly */
    src->pub.bytes_in_buffer = 2;
    return TRUE;
  }
  src->pub.next_input_byte = src->buffer;
  src->pub.bytes_in_buffer = n;
  src->start = FALSE;
  return TRUE;
}

static void src_skip(j_decompress_ptr cinfo, long num_bytes) {
  struct jpeg_source_mgr *src = cinfo->src;
  if (num_bytes <= 0) return;
  while (num_bytes > (long)src->bytes_in_buffer) {
    num_bytes -= (long)src->bytes_in_buffer;
    (void)(*src->fill_input_buffer)(cinfo);
  }
  src->next_input_byte += (size_t)num_bytes;
  src->bytes_in_buffer -= (size_t)num_bytes;
}

static void src_term(j_decompress_ptr cinfo) { (void)cinfo; }

static void file_src(j_decompress_ptr cinfo, FILE *file) {
  struct file_src *src = (struct file_src *)(*cinfo->mem->alloc_small)(
      (j_common_ptr)cinfo, JPOOL_PERMANENT, sizeof(struct file_src));
  src->buffer = (JOCTET *)(*cinfo->mem->alloc_small)((j_common_ptr)cinfo, JPOOL_PERMANENT,
                                                     HOIST_SRC_BUF);
  src->file = file;
  src->pub.init_source = src_init;
  src->pub.fill_input_buffer = src_fill;
  src->pub.skip_input_data = src_skip;
  src->pub.resync_to_restart = jpeg_resync_to_restart;
  src->pub.term_source = src_term;
  src->pub.bytes_in_buffer = 0;
  src->pub.next_input_byte = NULL;
  cinfo->src = &src->pub;
}

/* Decodes from `file` (if not NULL) or from `buf`/`len`. Returns 0 on success. */
int hoist_jpeg_decode(FILE *file, const unsigned char *buf, unsigned long len, hoist_jpeg *job) {
  struct jpeg_decompress_struct cinfo;
  struct err_mgr err;
  struct progress prog;
  JSAMPROW row;
  unsigned int n;
  double fit, need;
  jpeg_saved_marker_ptr m;

  job->pixels = NULL;
  job->exif = NULL;
  job->exif_len = 0;
  job->warnings = 0;
  job->message[0] = 0;
  job->damaged = 0;
  job->damage[0] = 0;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  err.job = job;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    free(job->pixels);
    job->pixels = NULL;
    free(job->exif);
    job->exif = NULL;
    return 1;
  }
  jpeg_create_decompress(&cinfo);
  if (job->max_memory) cinfo.mem->max_memory_to_use = (long)job->max_memory;
  prog.pub.progress_monitor = on_progress;
  prog.job = job;
  cinfo.progress = &prog.pub;
  if (file) {
    setvbuf(file, NULL, _IONBF, 0); /* we buffer 64 KiB ourselves */
    file_src(&cinfo, file);
  }
  else jpeg_mem_src(&cinfo, buf, len);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 14, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  job->width = cinfo.image_width;
  job->height = cinfo.image_height;
  for (m = cinfo.marker_list; m; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 && !job->exif &&
        memcmp(m->data, "Exif\0\0", 6) == 0) {
      job->exif_len = m->data_length - 6;
      job->exif = malloc(job->exif_len);
      if (job->exif) memcpy(job->exif, m->data + 6, job->exif_len);
      else job->exif_len = 0;
    }
  }
  job->inverted_cmyk = cinfo.saw_Adobe_marker;

  /* Smallest n/8 scale keeping at least twice the target resolution. */
  fit = (double)job->target / cinfo.image_width;
  if ((double)job->target / cinfo.image_height < fit) fit = (double)job->target / cinfo.image_height;
  need = 2.0 * fit;
  n = 8;
  if (need < 1.0) {
    n = (unsigned int)(need * 8.0);
    if (n * 1.0 < need * 8.0 - 1e-9) n++;
    if (n < 1) n = 1;
    if (n > 8) n = 8;
  }
  cinfo.scale_num = n;
  cinfo.scale_denom = 8;
  cinfo.dct_method = JDCT_IFAST;
  /* The decoded image is at least 2x the thumbnail and gets a Lanczos pass afterwards, so
   * plain chroma replication (merged upsampling) is visually identical and cheaper. */
  cinfo.do_fancy_upsampling = FALSE;
  if (cinfo.jpeg_color_space == JCS_GRAYSCALE) cinfo.out_color_space = JCS_GRAYSCALE;
  else if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK)
    cinfo.out_color_space = JCS_CMYK;
  else cinfo.out_color_space = JCS_RGB;

  jpeg_start_decompress(&cinfo);
  job->out_width = cinfo.output_width;
  job->out_height = cinfo.output_height;
  job->components = cinfo.output_components;
  job->pixels = malloc((size_t)cinfo.output_width * cinfo.output_height * cinfo.output_components);
  if (!job->pixels) {
    snprintf(job->message, HOIST_MSG, "out of memory for %ux%u output", cinfo.output_width,
             cinfo.output_height);
    longjmp(err.jump, 1);
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    row = job->pixels + (size_t)cinfo.output_scanline * cinfo.output_width * cinfo.output_components;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return 0;
}

void hoist_jpeg_free(hoist_jpeg *job) {
  free(job->pixels);
  job->pixels = NULL;
  free(job->exif);
  job->exif = NULL;
}

/* Encodes 8-bit gray (components 1) or RGB (3) pixels. *out is malloc'd by libjpeg; free with
 * hoist_jpeg_free_buffer. Returns 0 on success. */
int hoist_jpeg_encode(const unsigned char *pixels, unsigned int width, unsigned int height,
                      int components, int quality, unsigned char **out, unsigned long *out_len,
                      char *message) {
  struct jpeg_compress_struct cinfo;
  struct err_mgr err;
  hoist_jpeg job;
  JSAMPROW row;

  *out = NULL;
  *out_len = 0;
  job.message[0] = 0;
  job.warnings = 0;
  job.damaged = 0;
  job.damage[0] = 0;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  err.job = &job;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    free(*out);
    *out = NULL;
    memcpy(message, job.message, HOIST_MSG);
    return 1;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, out_len);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.optimize_coding = TRUE;
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * width * components);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return 0;
}

void hoist_jpeg_free_buffer(unsigned char *buf) { free(buf); }
