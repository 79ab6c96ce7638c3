// kiln classify FILE: scores per label for every window of one file, and their mean, as a live
// classification on the device would report them.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "pipeline/classifier.h"
#include "project/project.h"

namespace kiln::cli {

namespace {

struct ClassifyArgs {
  std::string dir = ".";
  std::string file;
  std::string precision = "int8";
  bool json = false;
};

void run_classify(const ClassifyArgs& args) {
  const project::Project project = project::open_project(args.dir);
  pipeline::PipelineClassifier classifier(project.root / pipeline::kOutputDir,
                                          pipeline::parse_precision(args.precision));
  const std::vector<pipeline::WindowResult> windows = classifier.classify_file(args.file);
  const pipeline::TrainedPipeline& p = classifier.pipeline();
  std::vector<double> mean(p.labels.size(), 0.0);
  for (const auto& w : windows) {
    for (size_t c = 0; c < w.scores.size(); ++c) mean[c] += w.scores[c] / windows.size();
  }
  size_t best = 0;
  for (size_t c = 1; c < mean.size(); ++c) {
    if (mean[c] > mean[best]) best = c;
  }
  if (args.json) {
    nlohmann::json j;
    j["file"] = args.file;
    j["precision"] = args.precision;
    j["labels"] = p.labels;
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < windows.size(); ++i) {
      nlohmann::json w;
      w["index"] = i;
      w["scores"] = windows[i].scores;
      if (windows[i].anomaly) w["anomaly"] = *windows[i].anomaly;
      list.push_back(w);
    }
    j["windows"] = list;
    j["mean_scores"] = mean;
    if (!mean.empty()) j["label"] = p.labels[best];
    fmt::print("{}\n", j.dump(2));
    return;
  }
  for (size_t i = 0; i < windows.size(); ++i) {
    std::string line = fmt::format("window {:3d}:", i);
    for (size_t c = 0; c < windows[i].scores.size(); ++c) {
      line += fmt::format("  {} {:.4f}", p.labels[c], windows[i].scores[c]);
    }
    if (windows[i].anomaly) {
      line += fmt::format("  anomaly {:.4f}{}", *windows[i].anomaly,
                          *windows[i].anomaly > p.anomaly->threshold ? " (ANOMALY)" : "");
    }
    fmt::print("{}\n", line);
  }
  if (!mean.empty()) fmt::print("{}: {} ({:.4f})\n", args.file, p.labels[best], mean[best]);
}

}  // namespace

void add_classify_command(CLI::App& app) {
  auto args = std::make_shared<ClassifyArgs>();
  CLI::App* cmd = app.add_subcommand("classify", "Scores per label for one file, every window");
  cmd->add_option("FILE", args->file, "WAV, CSV or image file")->required();
  cmd->add_option("-C", args->dir, "Project directory (default: the current directory)");
  cmd->add_option("--precision", args->precision, "int8 (default) or float32");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] { run_classify(*args); });
}

}  // namespace kiln::cli
