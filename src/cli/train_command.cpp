// kiln train: features, training, export and int8 quantization of the project's pipeline, with a
// line per epoch (loss, accuracy, validation, ETA).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "pipeline/train_project.h"
#include "project/project.h"

namespace kiln::cli {

namespace {

struct TrainArgs {
  std::string dir = ".";
  bool quiet = false;
};

std::string duration_text(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  return s >= 60 ? fmt::format("{}m{:02d}s", s / 60, s % 60) : fmt::format("{}s", s);
}

void run_train(const TrainArgs& args) {
  const project::Project project = project::open_project(args.dir);
  const bool tty = isatty(fileno(stderr)) != 0;
  pipeline::TrainCallbacks callbacks;
  std::string current_stage;
  callbacks.on_stage = [&](const std::string& stage) {
    current_stage = stage;
    if (!args.quiet) fmt::print(stderr, "train: {}\n", stage);
  };
  int last_percent = -1;
  callbacks.on_features = [&](size_t done, size_t total) {
    if (args.quiet || !tty || total == 0) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (percent == last_percent && done != total) return;
    last_percent = percent;
    fmt::print(stderr, "\rtrain: {} {:3d}% ({}/{})", current_stage, percent, done, total);
    if (done == total) {
      fmt::print(stderr, "\n");
      last_percent = -1;
    }
  };
  double elapsed = 0;
  callbacks.on_epoch = [&](const nn::EpochStats& e) {
    elapsed += e.seconds;
    if (args.quiet) return;
    const double eta = elapsed / e.epoch * (e.epochs - e.epoch);
    std::string line = fmt::format("epoch {:3d}/{}  loss {:.4f}  acc {:.3f}", e.epoch, e.epochs,
                                   e.loss, e.accuracy);
    if (e.has_validation) {
      line += fmt::format("  val_loss {:.4f}  val_acc {:.3f}", e.val_loss, e.val_accuracy);
    }
    line += fmt::format("  {:.1f}s  ETA {}", e.seconds, duration_text(eta));
    fmt::print(stderr, "{}\n", line);
  };
  const pipeline::TrainReport report = pipeline::train_project(project, callbacks);
  const pipeline::TrainedPipeline& p = report.pipeline;
  fmt::print("trained {} on {} window(s) (+{} augmented) in {}\n",
             p.has_classifier() ? fmt::format("a {}-class network", p.labels.size())
                                : std::string("an anomaly model"),
             report.train_windows, report.augmented_windows, duration_text(report.seconds));
  if (p.has_classifier()) {
    const auto& h = report.training.history;
    fmt::print("  {} parameters, {} MACs per inference; best epoch {} of {}{}\n", report.parameters,
               report.macs, report.training.best_epoch, h.size(),
               report.training.stopped_early ? " (stopped early)" : "");
    if (!h.empty() && h[static_cast<size_t>(report.training.best_epoch - 1)].has_validation) {
      fmt::print("  validation accuracy {:.1f}%\n",
                 100.0 * h[static_cast<size_t>(report.training.best_epoch - 1)].val_accuracy);
    }
  }
  if (p.anomaly) {
    fmt::print("  anomaly: K-means, {} clusters, threshold {:.4g}\n", p.anomaly->clusters,
               p.anomaly->threshold);
  }
  for (const auto& path : report.written) fmt::print("  wrote {}\n", path.string());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train", "Train the project's pipeline; write out/model.f32.tflite and model.int8.tflite");
  cmd->add_option("-C", args->dir, "Project directory (default: the current directory)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
  cmd->callback([args] { run_train(*args); });
}

}  // namespace kiln::cli
