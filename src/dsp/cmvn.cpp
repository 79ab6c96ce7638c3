#include "dsp/cmvn.h"

#include <math.h>

namespace kiln {
namespace dsp {

namespace {

const int32_t kMaxWindow = 65535;

void layout(int32_t rows, int32_t cols, int32_t win_size, WorkspaceCarver* carver, float** stats,
            int32_t** source_row) {
  const int32_t pad = (win_size - 1) / 2;
  *stats = carve_floats(carver, static_cast<size_t>(rows) * static_cast<size_t>(cols));
  *source_row = carve_ints(carver, static_cast<size_t>(rows) + 2u * static_cast<size_t>(pad));
}

// Row of the original sequence that padded position p (0 = first padded row) shows.
int32_t reflected_row(int64_t p, int32_t pad, int32_t rows) {
  const int64_t period = 2 * static_cast<int64_t>(rows);
  int64_t r = (p - pad) % period;
  if (r < 0) r += period;
  return static_cast<int32_t>(r < rows ? r : period - 1 - r);
}

}  // namespace

const char* cmvn_check(int32_t win_size) {
  if (win_size < 0 || win_size > kMaxWindow) return "win_size must be in [0, 65535]";
  if (win_size != 0 && win_size % 2 == 0) return "win_size must be odd (or 0 to disable)";
  return NULL;
}

size_t cmvn_workspace_bytes(int32_t rows, int32_t cols, int32_t win_size) {
  if (cmvn_check(win_size) != NULL || rows < 1 || cols < 1) return 0;
  if (win_size == 0) return 0;
  WorkspaceCarver carver = workspace_carver(NULL, 0);
  float* stats;
  int32_t* source_row;
  layout(rows, cols, win_size, &carver, &stats, &source_row);
  return carver.used;
}

Status cmvn_apply(float* features, int32_t rows, int32_t cols, int32_t win_size,
                  bool normalize_variance, void* workspace, size_t workspace_bytes) {
  if (cmvn_check(win_size) != NULL || rows < 1 || cols < 1) return rt::kBadArgument;
  if (static_cast<int64_t>(rows) * cols > 0x7fffffff) return rt::kBadArgument;
  if (win_size == 0) return rt::kOk;
  WorkspaceCarver carver = workspace_carver(workspace, workspace_bytes);
  float* stats;
  int32_t* source_row;
  layout(rows, cols, win_size, &carver, &stats, &source_row);
  if (!carver_ok(carver)) return rt::kBadArgument;

  const int32_t pad = (win_size - 1) / 2;
  // The reflection is tabulated once so the window sums below are plain indexed loads.
  for (int32_t p = 0; p < rows + 2 * pad; ++p) source_row[p] = reflected_row(p, pad, rows);
  const float window = static_cast<float>(win_size);

  // 1. Means over each window, from the original values, then subtracted.
  for (int32_t i = 0; i < rows; ++i) {
    for (int32_t c = 0; c < cols; ++c) {
      float sum = 0.0f;
      for (int32_t p = i; p < i + win_size; ++p) sum += features[source_row[p] * cols + c];
      stats[i * cols + c] = sum / window;
    }
  }
  for (int32_t i = 0; i < rows * cols; ++i) features[i] -= stats[i];
  if (!normalize_variance) return rt::kOk;

  // 2. Standard deviations of the mean-removed values over the same windows, then divided.
  for (int32_t i = 0; i < rows; ++i) {
    for (int32_t c = 0; c < cols; ++c) {
      float sum = 0.0f;
      for (int32_t p = i; p < i + win_size; ++p) sum += features[source_row[p] * cols + c];
      const float mean = sum / window;
      float squares = 0.0f;
      for (int32_t p = i; p < i + win_size; ++p) {
        const float d = features[source_row[p] * cols + c] - mean;
        squares += d * d;
      }
      stats[i * cols + c] = sqrtf(squares / window);
    }
  }
  for (int32_t i = 0; i < rows * cols; ++i) features[i] = features[i] / (stats[i] + 1e-10f);
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
