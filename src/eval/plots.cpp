#include "eval/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "eval/canvas.h"

namespace kiln::eval {

namespace {

constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kGrid{225, 225, 225};
constexpr Rgb kTrainColour{31, 119, 180};       // blue
constexpr Rgb kValidationColour{230, 110, 20};  // orange

constexpr size_t kMaxLabelChars = 16;

// Long labels keep their start and end, where names that share a prefix usually differ.
std::string short_label(const std::string& label) {
  if (label.size() <= kMaxLabelChars) return label;
  const size_t head = (kMaxLabelChars - 2) / 2, tail = kMaxLabelChars - 2 - head;
  return label.substr(0, head) + ".." + label.substr(label.size() - tail);
}

// Pale to dark blue as `t` goes from 0 to 1.
Rgb shade(double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto mix = [t](int a, int b) { return static_cast<uint8_t>(std::lround(a + (b - a) * t)); };
  return Rgb{mix(247, 8), mix(251, 48), mix(255, 107)};
}

struct ConfusionStyle {
  int label_scale = 2;
  int count_scale = 2;
  int label_width = 0;  // widest (shortened) label at label_scale
};

ConfusionStyle confusion_style(const ClassificationMetrics& m, int cell) {
  ConfusionStyle style;
  style.label_scale = cell >= 40 ? 2 : 1;
  int widest_count = 0;
  for (const auto& row : m.confusion) {
    for (int64_t v : row)
      widest_count = std::max(widest_count, Canvas::text_width(fmt::format("{}", v), 2));
  }
  style.count_scale = widest_count <= cell - 6 ? 2 : 1;
  for (const std::string& label : m.labels) {
    style.label_width =
        std::max(style.label_width, Canvas::text_width(short_label(label), style.label_scale));
  }
  return style;
}

}  // namespace

ConfusionLayout confusion_layout(const ClassificationMetrics& m, const std::string& title) {
  const int k = static_cast<int>(m.labels.size());
  if (k < 1 || m.confusion.size() != m.labels.size()) {
    throw Error("confusion plot: no classes to draw");
  }
  ConfusionLayout layout;
  layout.cell = std::clamp(480 / k, 24, 80);
  const ConfusionStyle style = confusion_style(m, layout.cell);
  const int axis_title = Canvas::text_height(2);
  // Left: axis title "true" turned upwards, then the row labels. Top: the title. Bottom: the
  // column labels turned upwards, then the axis title "predicted".
  layout.grid_left = 10 + axis_title + 12 + style.label_width + 10;
  layout.grid_top = 12 + Canvas::text_height(2) + 16;
  const int grid = k * layout.cell;
  layout.width = std::max(layout.grid_left + grid + 20, Canvas::text_width(title, 2) + 24);
  layout.height = layout.grid_top + grid + 10 + style.label_width + 12 + axis_title + 12;
  return layout;
}

data::RgbImage render_confusion(const ClassificationMetrics& m, const std::string& title) {
  const ConfusionLayout layout = confusion_layout(m, title);
  const ConfusionStyle style = confusion_style(m, layout.cell);
  const int k = static_cast<int>(m.labels.size());
  const int cell = layout.cell;
  const int grid = k * cell;
  Canvas canvas(layout.width, layout.height);

  canvas.text((layout.width - Canvas::text_width(title, 2)) / 2, 12, title, kBlack, 2);
  for (int r = 0; r < k; ++r) {
    int64_t row_total = 0;
    for (int64_t v : m.confusion[r]) row_total += v;
    for (int c = 0; c < k; ++c) {
      const int64_t count = m.confusion[r][c];
      const double share =
          row_total > 0 ? static_cast<double>(count) / static_cast<double>(row_total) : 0.0;
      const int x = layout.grid_left + c * cell, y = layout.grid_top + r * cell;
      canvas.fill(x, y, x + cell, y + cell, shade(share));
      canvas.frame(x, y, x + cell + 1, y + cell + 1, kGrid);
      const std::string digits = fmt::format("{}", count);
      canvas.text(x + (cell - Canvas::text_width(digits, style.count_scale)) / 2,
                  y + (cell - Canvas::text_height(style.count_scale)) / 2, digits,
                  share > 0.5 ? kWhite : kBlack, style.count_scale);
    }
  }
  canvas.frame(layout.grid_left, layout.grid_top, layout.grid_left + grid + 1,
               layout.grid_top + grid + 1, kBlack);

  const int label_h = Canvas::text_height(style.label_scale);
  for (int i = 0; i < k; ++i) {
    const std::string label = short_label(m.labels[i]);
    // Row labels right-aligned against the grid; column labels upwards, ending at the grid.
    canvas.text(layout.grid_left - 8 - Canvas::text_width(label, style.label_scale),
                layout.grid_top + i * cell + (cell - label_h) / 2, label, kBlack,
                style.label_scale);
    canvas.text_upwards(layout.grid_left + i * cell + (cell - label_h) / 2,
                        layout.grid_top + grid + 8 + Canvas::text_width(label, style.label_scale),
                        label, kBlack, style.label_scale);
  }
  const std::string predicted = "predicted", truth = "true";
  canvas.text(layout.grid_left + (grid - Canvas::text_width(predicted, 2)) / 2,
              layout.height - 12 - Canvas::text_height(2), predicted, kBlack, 2);
  canvas.text_upwards(10, layout.grid_top + (grid + Canvas::text_width(truth, 2)) / 2, truth,
                      kBlack, 2);
  return canvas.take();
}

namespace {

// A round step (1, 2 or 5 times a power of ten) near `raw`.
double nice_step(double raw) {
  if (!(raw > 0.0) || !std::isfinite(raw)) return 1.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double mantissa = raw / power;
  return (mantissa <= 1.0 ? 1.0 : mantissa <= 2.0 ? 2.0 : mantissa <= 5.0 ? 5.0 : 10.0) * power;
}

std::string tick_label(double value, double step) {
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (std::fabs(value) < step * 1e-6) value = 0.0;  // no "-0.0"
  return fmt::format("{:.{}f}", value, decimals);
}

struct Panel {
  int left, top, right, bottom;  // plot area in pixels, inclusive edges
  double x_lo, x_hi, y_lo, y_hi;

  int px(double x) const {
    return left + static_cast<int>(std::lround((x - x_lo) / (x_hi - x_lo) * (right - left)));
  }
  int py(double y) const {
    const double t = std::clamp((y - y_lo) / (y_hi - y_lo), 0.0, 1.0);
    return bottom - static_cast<int>(std::lround(t * (bottom - top)));
  }
};

void draw_series(Canvas& canvas, const Panel& panel, const std::vector<double>& values, Rgb colour,
                 int dash) {
  const bool markers = values.size() <= 40;
  std::vector<std::pair<int, int>> run;
  auto flush = [&]() {
    canvas.polyline(run, colour, 2, dash);
    run.clear();
  };
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      flush();  // a gap where the value is missing
      continue;
    }
    const int x = panel.px(static_cast<double>(i + 1)), y = panel.py(values[i]);
    run.emplace_back(x, y);
    if (markers) canvas.fill(x - 2, y - 2, x + 3, y + 3, colour);
  }
  flush();
}

void draw_panel(Canvas& canvas, const Panel& panel, const std::string& title, double y_step,
                const std::vector<double>& train, const std::vector<double>& validation) {
  // Horizontal grid lines and y ticks.
  for (double v = panel.y_lo; v <= panel.y_hi + y_step * 1e-6; v += y_step) {
    const int y = panel.py(v);
    canvas.fill(panel.left, y, panel.right + 1, y + 1, kGrid);
    canvas.fill(panel.left - 5, y, panel.left, y + 1, kBlack);
    const std::string label = tick_label(v, y_step);
    canvas.text(panel.left - 8 - Canvas::text_width(label), y - 3, label, kBlack);
  }
  // Epoch ticks: a round step giving at most about 10 ticks, plus epoch 1.
  const int epochs = static_cast<int>(train.size());
  const int x_step = std::max(1, static_cast<int>(nice_step(epochs / 10.0)));
  std::vector<int> ticks = {1};
  for (int e = x_step; e <= epochs; e += x_step) {
    if (e != 1) ticks.push_back(e);
  }
  for (int e : ticks) {
    const int x = panel.px(e);
    canvas.fill(x, panel.bottom + 1, x + 1, panel.bottom + 6, kBlack);
    const std::string label = std::to_string(e);
    canvas.text(x - Canvas::text_width(label) / 2 + 1, panel.bottom + 9, label, kBlack);
  }
  canvas.fill(panel.left - 1, panel.top, panel.left, panel.bottom + 2, kBlack);  // y axis
  canvas.fill(panel.left - 1, panel.bottom + 1, panel.right + 1, panel.bottom + 2, kBlack);  // x
  const std::string x_title = "epoch";
  canvas.text((panel.left + panel.right - Canvas::text_width(x_title, 2)) / 2, panel.bottom + 24,
              x_title, kBlack, 2);
  canvas.text((panel.left + panel.right - Canvas::text_width(title, 2)) / 2, panel.top - 30, title,
              kBlack, 2);

  if (!validation.empty()) draw_series(canvas, panel, validation, kValidationColour, 6);
  draw_series(canvas, panel, train, kTrainColour, 0);
}

// The finite range of the values, widened to include 0.
std::pair<double, double> value_range(const std::vector<double>& a, const std::vector<double>& b) {
  double lo = 0.0, hi = 0.0;
  for (const std::vector<double>* values : {&a, &b}) {
    for (double v : *values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (hi <= lo) hi = lo + 1.0;
  return {lo, hi};
}

}  // namespace

data::RgbImage render_training_curves(const TrainingHistory& h) {
  const size_t epochs = h.loss.size();
  if (epochs == 0) throw Error("training plot: no epochs to draw");
  if (h.accuracy.size() != epochs || (!h.val_loss.empty() && h.val_loss.size() != epochs) ||
      (!h.val_accuracy.empty() && h.val_accuracy.size() != epochs)) {
    throw Error(fmt::format(
        "training plot: {} epochs of loss but {} of accuracy, {} of validation loss and {} of "
        "validation accuracy",
        epochs, h.accuracy.size(), h.val_loss.size(), h.val_accuracy.size()));
  }
  Canvas canvas(kTrainingPlotWidth, kTrainingPlotHeight);
  const int half = kTrainingPlotWidth / 2;
  const int top = 50, bottom = kTrainingPlotHeight - 90;
  const double x_hi = std::max<double>(static_cast<double>(epochs), 2.0);

  const auto [loss_lo, loss_hi] = value_range(h.loss, h.val_loss);
  const double loss_step = nice_step((loss_hi - loss_lo) / 5.0);
  const Panel loss_panel{70,
                         top,
                         half - 30,
                         bottom,
                         1.0,
                         x_hi,
                         std::floor(loss_lo / loss_step) * loss_step,
                         std::ceil(loss_hi / loss_step) * loss_step};
  draw_panel(canvas, loss_panel, "loss", loss_step, h.loss, h.val_loss);

  const Panel accuracy_panel{half + 70, top, kTrainingPlotWidth - 30, bottom, 1.0, x_hi, 0.0, 1.0};
  draw_panel(canvas, accuracy_panel, "accuracy", 0.2, h.accuracy, h.val_accuracy);

  // Legend, centred under both panels.
  const bool validation = !h.val_loss.empty() || !h.val_accuracy.empty();
  const std::string train_name = "train", validation_name = "validation";
  const int sample = 36, gap = 8, spacing = 40;
  int legend_width = sample + gap + Canvas::text_width(train_name, 2);
  if (validation) legend_width += spacing + sample + gap + Canvas::text_width(validation_name, 2);
  int x = (kTrainingPlotWidth - legend_width) / 2;
  const int y = kTrainingPlotHeight - 22;
  canvas.polyline({{x, y}, {x + sample, y}}, kTrainColour, 2);
  x += sample + gap;
  canvas.text(x, y - Canvas::text_height(2) / 2, train_name, kBlack, 2);
  x += Canvas::text_width(train_name, 2) + spacing;
  if (validation) {
    canvas.polyline({{x, y}, {x + sample, y}}, kValidationColour, 2, 6);
    x += sample + gap;
    canvas.text(x, y - Canvas::text_height(2) / 2, validation_name, kBlack, 2);
  }
  return canvas.take();
}

void write_confusion_png(const std::filesystem::path& path, const ClassificationMetrics& metrics,
                         const std::string& title) {
  data::write_png(path, render_confusion(metrics, title));
}

void write_training_png(const std::filesystem::path& path, const TrainingHistory& history) {
  data::write_png(path, render_training_curves(history));
}

}  // namespace kiln::eval
