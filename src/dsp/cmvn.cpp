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
  // Window means multiply by the reciprocal: one division for the whole call instead of three per
  // value (a division costs 14 cycles on a Cortex-M4F, a multiplication 1).
  const float inv_window = 1.0f / static_cast<float>(win_size);

  // Columns are independent (a window only reads its own column). Window sums slide: the window
  // of row i + 1 is that of row i minus padded position i plus position i + win_size, so each
  // sum costs two loads instead of win_size (the rounding differs from summing each window
  // afresh by a few ulps of the window sum).
  for (int32_t c = 0; c < cols; ++c) {
    float* column = features + c;
    float* column_stats = stats + c;
    // 1. Means over each window of the original values, then subtracted.
    float sum = 0.0f;
    for (int32_t p = 0; p < win_size; ++p) sum += column[source_row[p] * cols];
    for (int32_t i = 0; i < rows; ++i) {
      column_stats[i * cols] = sum * inv_window;
      if (i + 1 < rows) {
        sum += column[source_row[i + win_size] * cols] - column[source_row[i] * cols];
      }
    }
    for (int32_t i = 0; i < rows; ++i) column[i * cols] -= column_stats[i * cols];
    if (!normalize_variance) continue;

    // 2. Population standard deviation of the mean-removed values over the same windows, from
    // sliding sums of values and squares: sum (y - m)^2 = sum y^2 - m sum y with m = sum y / W.
    float sum1 = 0.0f, sum2 = 0.0f;
    for (int32_t p = 0; p < win_size; ++p) {
      const float y = column[source_row[p] * cols];
      sum1 += y;
      sum2 += y * y;
    }
    for (int32_t i = 0; i < rows; ++i) {
      const float mean = sum1 * inv_window;
      float variance = (sum2 - mean * sum1) * inv_window;
      if (!(variance > 0.0f)) variance = 0.0f;  // rounding can push a zero variance below 0
      column_stats[i * cols] = sqrtf(variance);
      if (i + 1 < rows) {
        const float in = column[source_row[i + win_size] * cols];
        const float out = column[source_row[i] * cols];
        sum1 += in - out;
        sum2 += in * in - out * out;
      }
    }
    for (int32_t i = 0; i < rows; ++i) {
      column[i * cols] = column[i * cols] / (column_stats[i * cols] + 1e-10f);
    }
  }
  return rt::kOk;
}

}  // namespace dsp
}  // namespace kiln
