#include "eval/plots.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/error.h"
#include "data/image_reader.h"

namespace kiln::eval {
namespace {

namespace fs = std::filesystem;

fs::path output_dir() {
  const fs::path dir = fs::path(testing::TempDir()) / "kiln_eval_plots_test";
  fs::create_directories(dir);
  return dir;
}

std::vector<char> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

struct Pixel {
  int r, g, b;
};

Pixel pixel_at(const data::RgbImage& image, int x, int y) {
  const size_t i = (static_cast<size_t>(y) * image.width + x) * 3;
  return Pixel{image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]};
}

ClassificationMetrics three_class_metrics() {
  // yes: 40 right, 2 called no; no: 3 called yes, 30 right, 5 unknown; unknown: all 7 right.
  std::vector<int32_t> truth, predicted;
  auto add = [&](int t, int p, int n) {
    for (int i = 0; i < n; ++i) {
      truth.push_back(t);
      predicted.push_back(p);
    }
  };
  add(0, 0, 40);
  add(0, 1, 2);
  add(1, 0, 3);
  add(1, 1, 30);
  add(1, 2, 5);
  add(2, 2, 7);
  return classification_metrics(truth, predicted, {"yes", "no", "unknown"});
}

TEST(ConfusionPlot, WritesADecodablePngOfTheLayoutSize) {
  const ClassificationMetrics m = three_class_metrics();
  const ConfusionLayout layout = confusion_layout(m);
  const data::RgbImage image = render_confusion(m);
  EXPECT_EQ(image.width, layout.width);
  EXPECT_EQ(image.height, layout.height);
  EXPECT_GE(layout.cell, 24);
  EXPECT_GE(layout.width, layout.grid_left + 3 * layout.cell);
  EXPECT_GE(layout.height, layout.grid_top + 3 * layout.cell);

  const fs::path path = output_dir() / "confusion.png";
  write_confusion_png(path, m);
  const data::Image decoded = data::read_image(path);
  EXPECT_EQ(decoded.width, layout.width);
  EXPECT_EQ(decoded.height, layout.height);
  ASSERT_EQ(decoded.channels, 3);
  EXPECT_EQ(decoded.pixels, image.pixels);  // PNG is lossless
}

TEST(ConfusionPlot, CellsAreShadedByRowShare) {
  const ClassificationMetrics m = three_class_metrics();
  const ConfusionLayout layout = confusion_layout(m);
  const data::RgbImage image = render_confusion(m);
  // A point near a cell's corner, clear of the grid lines and the centred count.
  auto cell_colour = [&](int r, int c) {
    return pixel_at(image, layout.grid_left + c * layout.cell + 3,
                    layout.grid_top + r * layout.cell + 3);
  };
  const Pixel full = cell_colour(2, 2);    // 7 of 7
  const Pixel most = cell_colour(0, 0);    // 40 of 42
  const Pixel empty = cell_colour(0, 2);   // 0 of 42
  const Pixel little = cell_colour(1, 0);  // 3 of 38
  // Darker (smaller red channel) as the share grows.
  EXPECT_LT(full.r, most.r + 1);
  EXPECT_LT(most.r, little.r);
  EXPECT_LT(little.r, empty.r);
  EXPECT_GT(empty.r, 230);
  EXPECT_LT(full.r, 30);
  EXPECT_GT(full.b, full.r);  // blue scale
}

TEST(ConfusionPlot, CountsAreDrawnInTheCells) {
  const ClassificationMetrics m = three_class_metrics();
  const ConfusionLayout layout = confusion_layout(m);
  const data::RgbImage image = render_confusion(m);
  // The dark diagonal cell holds white digits, the pale empty cell black ones: both cells hold
  // pixels of more than one colour near their centre.
  auto distinct_colours_in_centre = [&](int r, int c) {
    std::vector<int> reds;
    const int x0 = layout.grid_left + c * layout.cell, y0 = layout.grid_top + r * layout.cell;
    for (int y = y0 + layout.cell / 4; y < y0 + 3 * layout.cell / 4; ++y) {
      for (int x = x0 + layout.cell / 4; x < x0 + 3 * layout.cell / 4; ++x) {
        reds.push_back(pixel_at(image, x, y).r);
      }
    }
    std::sort(reds.begin(), reds.end());
    return std::unique(reds.begin(), reds.end()) - reds.begin();
  };
  EXPECT_GE(distinct_colours_in_centre(2, 2), 2);
  EXPECT_GE(distinct_colours_in_centre(0, 2), 2);
}

TEST(ConfusionPlot, IsDeterministic) {
  const ClassificationMetrics m = three_class_metrics();
  const fs::path a = output_dir() / "confusion_a.png", b = output_dir() / "confusion_b.png";
  write_confusion_png(a, m);
  write_confusion_png(b, m);
  const std::vector<char> bytes = file_bytes(a);
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes, file_bytes(b));
}

TEST(ConfusionPlot, ManyClassesAndLongLabels) {
  std::vector<std::string> labels;
  std::vector<int32_t> truth, predicted;
  for (int c = 0; c < 30; ++c) {
    labels.push_back("class_with_a_long_name_" + std::to_string(c));
    for (int i = 0; i <= c; ++i) {
      truth.push_back(c);
      predicted.push_back((c + i) % 30);
    }
  }
  const ClassificationMetrics m = classification_metrics(truth, predicted, labels);
  const ConfusionLayout layout = confusion_layout(m);
  EXPECT_EQ(layout.cell, 24);
  const data::RgbImage image = render_confusion(m);
  EXPECT_EQ(image.pixels.size(), static_cast<size_t>(layout.width) * layout.height * 3);
  write_confusion_png(output_dir() / "confusion_many.png", m);
}

TEST(ConfusionPlot, RejectsNoClasses) {
  const ClassificationMetrics m = classification_metrics({}, {}, {});
  EXPECT_THROW(render_confusion(m), Error);
}

TrainingHistory example_history(int epochs, bool validation) {
  TrainingHistory h;
  for (int e = 1; e <= epochs; ++e) {
    h.loss.push_back(2.0 * std::exp(-0.15 * e) + 0.1);
    h.accuracy.push_back(1.0 - 0.8 * std::exp(-0.2 * e));
    if (validation) {
      h.val_loss.push_back(2.1 * std::exp(-0.12 * e) + 0.2);
      h.val_accuracy.push_back(0.95 - 0.8 * std::exp(-0.18 * e));
    }
  }
  return h;
}

int count_pixels(const data::RgbImage& image, Pixel colour) {
  int n = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const Pixel p = pixel_at(image, x, y);
      n += p.r == colour.r && p.g == colour.g && p.b == colour.b;
    }
  }
  return n;
}

TEST(TrainingPlot, WritesADecodablePngOfTheDocumentedSize) {
  const TrainingHistory h = example_history(30, true);
  const fs::path path = output_dir() / "train.png";
  write_training_png(path, h);
  const data::Image decoded = data::read_image(path);
  EXPECT_EQ(decoded.width, kTrainingPlotWidth);
  EXPECT_EQ(decoded.height, kTrainingPlotHeight);
  ASSERT_EQ(decoded.channels, 3);
  EXPECT_EQ(decoded.pixels, render_training_curves(h).pixels);
}

TEST(TrainingPlot, DrawsBothSeriesOnlyWhenThereIsValidation) {
  const Pixel train_blue{31, 119, 180}, validation_orange{230, 110, 20};
  const data::RgbImage with = render_training_curves(example_history(12, true));
  EXPECT_GT(count_pixels(with, train_blue), 200);
  EXPECT_GT(count_pixels(with, validation_orange), 200);
  const data::RgbImage without = render_training_curves(example_history(12, false));
  EXPECT_GT(count_pixels(without, train_blue), 200);
  EXPECT_EQ(count_pixels(without, validation_orange), 0);
  write_training_png(output_dir() / "train_no_validation.png", example_history(12, false));
}

TEST(TrainingPlot, IsDeterministic) {
  const TrainingHistory h = example_history(50, true);
  const fs::path a = output_dir() / "train_a.png", b = output_dir() / "train_b.png";
  write_training_png(a, h);
  write_training_png(b, h);
  EXPECT_EQ(file_bytes(a), file_bytes(b));
}

TEST(TrainingPlot, SingleEpochAndGaps) {
  TrainingHistory one = example_history(1, true);
  EXPECT_EQ(render_training_curves(one).width, kTrainingPlotWidth);
  TrainingHistory gaps = example_history(10, true);
  gaps.val_loss[4] = NAN;
  gaps.loss[0] = INFINITY;
  EXPECT_EQ(render_training_curves(gaps).height, kTrainingPlotHeight);
}

TEST(TrainingPlot, RejectsInconsistentHistories) {
  EXPECT_THROW(render_training_curves(TrainingHistory{}), Error);
  TrainingHistory h = example_history(5, true);
  h.val_accuracy.pop_back();
  EXPECT_THROW(render_training_curves(h), Error);
  h = example_history(5, false);
  h.accuracy.push_back(1.0);
  EXPECT_THROW(render_training_curves(h), Error);
}

}  // namespace
}  // namespace kiln::eval
