// The PNG figures of a training run and a test: training curves (train.png) and the confusion
// matrix (confusion.png).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/heatmap_png.h"
#include "eval/metrics.h"

namespace kiln::eval {

// Where render_confusion puts things, so callers and tests can find a cell.
struct ConfusionLayout {
  int width = 0;
  int height = 0;
  int grid_left = 0;  // top-left corner of cell (true 0, predicted 0)
  int grid_top = 0;
  int cell =
      0;  // cell side in pixels; cell (r, c) starts at grid_left + c * cell, grid_top + r * cell
};

ConfusionLayout confusion_layout(const ClassificationMetrics& metrics,
                                 const std::string& title = "confusion matrix");

// The confusion matrix as a grid, rows = true class, columns = predicted, each cell shaded by its
// share of the row (so small classes are as visible as large ones) and labelled with its count.
// Throws kiln::Error when there are no classes.
data::RgbImage render_confusion(const ClassificationMetrics& metrics,
                                const std::string& title = "confusion matrix");

struct TrainingHistory {
  std::vector<double> loss;          // training, one per epoch (epoch 1 first)
  std::vector<double> accuracy;      // training, fraction 0..1
  std::vector<double> val_loss;      // validation, same length, or empty when there is none
  std::vector<double> val_accuracy;  // idem
};

constexpr int kTrainingPlotWidth = 960;
constexpr int kTrainingPlotHeight = 420;

// Loss (left) and accuracy (right) against epoch, training solid and validation dashed, with
// axes, ticks and a legend; kTrainingPlotWidth x kTrainingPlotHeight. Non-finite values leave a
// gap. Throws kiln::Error when there are no epochs or the lengths disagree.
data::RgbImage render_training_curves(const TrainingHistory& history);

void write_confusion_png(const std::filesystem::path& path, const ClassificationMetrics& metrics,
                         const std::string& title = "confusion matrix");
void write_training_png(const std::filesystem::path& path, const TrainingHistory& history);

}  // namespace kiln::eval
