// Image block: resize an 8-bit image to the model's input size, convert its channels, and scale
// pixel values to the model's input range.
//
// Chain:
//   1. geometry (output pixel centres mapped into the source image):
//      squash       - each axis stretched independently to the output size;
//      fit_shortest - uniform scale so the shorter side fits, the overflow is cropped evenly on
//                     both sides (centre crop);
//      fit_longest  - uniform scale so the longer side fits, the rest is padded with black
//                     (letterbox);
//   2. bilinear interpolation between the four nearest source pixels (edges clamped); an output
//      of the same size as the input (squash) reproduces the input exactly;
//   3. channels: RGB -> grayscale uses 0.299 R + 0.587 G + 0.114 B (ITU-R 601-2, as the
//      reference); grayscale -> RGB repeats the value; an alpha channel is ignored;
//   4. v / 255 mapped linearly onto [scale_min, scale_max] (reference: [0, 1]).
// Output: height x width x channels, row-major (HWC).
#ifndef KILN_DSP_IMAGE_H_
#define KILN_DSP_IMAGE_H_

#include "dsp/dsp_common.h"

namespace kiln {
namespace dsp {

enum ResizeMode { kResizeSquash = 0, kResizeFitShortest = 1, kResizeFitLongest = 2 };

struct ImageParams {
  int32_t width;        // output width, 1..4096
  int32_t height;       // output height, 1..4096
  int32_t resize_mode;  // a ResizeMode value
  int32_t channels;     // 1 (grayscale) or 3 (RGB)
  float scale_min;      // value of a black pixel
  float scale_max;      // value of a full-intensity pixel
};

struct ImageInput {
  const uint8_t* pixels;  // row-major, interleaved channels
  int32_t width;
  int32_t height;
  int32_t channels;  // 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)
};

const char* image_check(const ImageParams& params);
int32_t image_num_values(const ImageParams& params);  // width * height * channels
inline size_t image_workspace_bytes(const ImageParams&) {
  return 0;
}
Status image_compute(const ImageParams& params, const ImageInput& input, float* out,
                     size_t out_capacity);

}  // namespace dsp
}  // namespace kiln

#endif  // KILN_DSP_IMAGE_H_
