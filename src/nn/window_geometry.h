// Where a sliding window (convolution kernel or pooling window) lands on an NHWC image, with
// TFLite's SAME/VALID rules, and the im2col/col2im transforms that turn a convolution into a
// matrix product. 1-D layers use the same code with height 1.
#pragma once

#include <string>

#include "ir/model.h"
#include "nn/tensor.h"

namespace kiln::nn {

struct WindowGeometry {
  int in_h = 1, in_w = 1, channels = 1;
  int window_h = 1, window_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;  // TFLite puts the smaller half of SAME padding first
  int out_h = 1, out_w = 1;

  int patch_size() const { return window_h * window_w * channels; }
  int out_positions() const { return out_h * out_w; }
};

// Throws kiln::Error (prefixed by `who`) on non-positive sizes or a VALID window larger than the
// input.
WindowGeometry make_window_geometry(int in_h, int in_w, int channels, int window_h, int window_w,
                                    int stride_h, int stride_w, ir::Padding padding,
                                    const std::string& who);

// Geometry for a layer whose per-sample input is [W, C] (1-D, window sizes have one entry) or
// [H, W, C] (2-D, one entry = square, or two). Empty strides default to `default_stride`.
WindowGeometry window_geometry_for(const Shape& input, const std::vector<int>& window,
                                   const std::vector<int>& strides,
                                   const std::vector<int>& default_stride, ir::Padding padding,
                                   const std::string& who);

// One sample: patches[p, (ky * window_w + kx) * channels + c] = image[iy, ix, c] for output
// position p, zero where the window hangs over the padding. `patches` holds
// out_positions() x patch_size() floats.
void im2col(const WindowGeometry& g, const float* image, float* patches);
// The transpose of im2col: adds each patch entry back onto the image position it came from.
void col2im_add(const WindowGeometry& g, const float* patches, float* image);

ir::Padding parse_padding(const std::string& text, const std::string& who);
const char* padding_text(ir::Padding padding);

}  // namespace kiln::nn
