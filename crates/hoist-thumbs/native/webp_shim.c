/*
 * WebP through libwebp's advanced API, called from src/ffi/webp.rs: decodes straight to a
 * reduced size (libwebp's scaler works row by row while decoding), so a 24 MP WebP never
 * becomes a 24 MP RGB buffer. In C because WebPDecoderConfig's layout belongs to the library
 * build. Animated files are refused (return 2) and decoded by the `image` crate instead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

typedef struct {
  unsigned int target;
  unsigned int width, height;         /* stored size */
  unsigned int out_width, out_height; /* decoded size */
  unsigned int channels;              /* 3 RGB or 4 RGBA */
  unsigned char *pixels;              /* malloc'd; free with hoist_webp_free */
  int status;                         /* VP8StatusCode on failure */
} hoist_webp;

int hoist_webp_decode(const uint8_t *data, size_t len, hoist_webp *job) {
  WebPDecoderConfig config;
  double fit, need;
  size_t row, y;
  const uint8_t *src;
  int stride;

  job->pixels = NULL;
  job->status = 0;
  if (!WebPInitDecoderConfig(&config)) return 1;
  job->status = WebPGetFeatures(data, len, &config.input);
  if (job->status != VP8_STATUS_OK) return 1;
  if (config.input.has_animation) return 2;
  job->width = config.input.width;
  job->height = config.input.height;
  fit = (double)job->target / job->width;
  if ((double)job->target / job->height < fit) fit = (double)job->target / job->height;
  need = 2.0 * fit;
  if (need < 1.0) {
    config.options.use_scaling = 1;
    config.options.scaled_width = (int)(job->width * need + 0.5);
    config.options.scaled_height = (int)(job->height * need + 0.5);
    if (config.options.scaled_width < 1) config.options.scaled_width = 1;
    if (config.options.scaled_height < 1) config.options.scaled_height = 1;
  }
  job->channels = config.input.has_alpha ? 4 : 3;
  config.output.colorspace = config.input.has_alpha ? MODE_RGBA : MODE_RGB;
  job->status = WebPDecode(data, len, &config);
  if (job->status != VP8_STATUS_OK) {
    WebPFreeDecBuffer(&config.output);
    return 1;
  }
  job->out_width = config.output.width;
  job->out_height = config.output.height;
  row = (size_t)job->out_width * job->channels;
  job->pixels = malloc(row * job->out_height);
  if (!job->pixels) {
    WebPFreeDecBuffer(&config.output);
    return 1;
  }
  src = config.output.u.RGBA.rgba;
  stride = config.output.u.RGBA.stride;
  for (y = 0; y < job->out_height; y++) memcpy(job->pixels + y * row, src + y * (size_t)stride, row);
  WebPFreeDecBuffer(&config.output);
  return 0;
}

void hoist_webp_free(hoist_webp *job) {
  free(job->pixels);
  job->pixels = NULL;
}
