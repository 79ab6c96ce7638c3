// kiln init / kiln import / kiln data: create a project, bring samples into it, and summarize
// what it holds. Each acts on the project in the current directory or in -C DIR.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/commands.h"
#include "core/error.h"
#include "project/data_summary.h"
#include "project/importer.h"
#include "project/project.h"
#include "project/sample_index.h"
#include "project/sample_plot.h"

namespace kiln::cli {

namespace fs = std::filesystem;

namespace {

struct InitArgs {
  std::string directory = ".";
  std::string dir = ".";
  std::string dsp;
  std::string model;
  std::optional<int> window_ms, stride_ms, epochs;
  std::optional<uint64_t> seed;
  std::string anomaly;
  std::vector<std::string> normal_labels;
  std::optional<int> clusters;
};

void run_init(const InitArgs& args) {
  project::ProjectConfig config;
  if (!args.dsp.empty()) config.dsp.block = args.dsp == "spectral_analysis" ? "spectral" : args.dsp;
  project::apply_block_defaults(config);
  if (!args.model.empty()) config.learning.preset = args.model;
  if (args.window_ms) {
    config.input.window_ms = *args.window_ms;
    // Half-overlapping windows unless told otherwise.
    config.input.stride_ms = std::max(1, *args.window_ms / 2);
  }
  if (args.stride_ms) config.input.stride_ms = *args.stride_ms;
  if (args.epochs) config.training.epochs = *args.epochs;
  if (args.seed) {
    config.training.seed = *args.seed;
    config.split.seed = *args.seed;
  }
  if (!args.anomaly.empty()) {
    config.anomaly.type = args.anomaly;
    config.anomaly.normal_labels = args.normal_labels;
    if (args.clusters) config.anomaly.clusters = *args.clusters;
  } else if (!args.normal_labels.empty() || args.clusters) {
    throw Error("--normal and --clusters need --anomaly kmeans");
  }
  const fs::path root = fs::path(args.dir) / args.directory;
  project::init_project(root, config);
  fmt::print("created a kiln project in {} (kiln.json, kiln.db, data/): dsp {}, model {}\n",
             root.lexically_normal().string(), config.dsp.block, config.learning.preset);
}

// Progress on stderr: a rewritten percentage line on a terminal; on a pipe or log, a line at each
// quarter of a long pass.
class Progress {
 public:
  Progress() : tty_(isatty(fileno(stderr)) != 0) {}

  void operator()(const char* pass, size_t done, size_t total) {
    if (total == 0) return;
    if (pass != pass_) {
      pass_ = pass;
      last_percent_ = -1;
    }
    const int percent = static_cast<int>(done * 100 / total);
    if (tty_) {
      if (percent == last_percent_) return;
      fmt::print(stderr, "\rimport: {} {:3d}% ({}/{})", pass, percent, done, total);
      if (done == total) fmt::print(stderr, "\n");
      std::fflush(stderr);
    } else if (total >= 200 && percent / 25 > 0 && percent / 25 != last_percent_ / 25) {
      fmt::print(stderr, "import: {} {}% ({}/{})\n", pass, percent / 25 * 25, done, total);
    }
    last_percent_ = percent;
  }

 private:
  bool tty_;
  int last_percent_ = -1;
  std::string pass_;
};

struct ImportArgs {
  std::string dir = ".";
  std::vector<std::string> paths;
  std::string label;
  std::string split_file;
  std::optional<double> test_fraction;
  std::string group_by;
  bool skip_bad = false;
  std::string hmac_key;
};

void print_list(const char* what, const std::vector<std::string>& lines) {
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < std::min(lines.size(), kShown); ++i) {
    fmt::print(stderr, "kiln: {}: {}\n", what, lines[i]);
  }
  if (lines.size() > kShown) {
    fmt::print(stderr, "kiln: {}: ... and {} more\n", what, lines.size() - kShown);
  }
}

void run_import(const ImportArgs& args) {
  project::Project project = project::open_project(args.dir);
  project::ImportOptions options;
  // Paths on the command line are relative to where kiln was started, not to -C.
  for (const std::string& p : args.paths) options.inputs.push_back(fs::absolute(p));
  if (!args.label.empty()) options.label = args.label;
  if (!args.split_file.empty()) options.split_file = fs::absolute(args.split_file);
  options.test_fraction = args.test_fraction;
  options.group_by = args.group_by;
  options.skip_bad = args.skip_bad;
  if (!args.hmac_key.empty()) options.hmac_key = args.hmac_key;
  Progress progress;
  options.progress = [&progress](const char* pass, size_t done, size_t total) {
    progress(pass, done, total);
  };
  const project::ImportReport report = project::import_samples(project, options);
  for (const std::string& note : report.notes) fmt::print(stderr, "kiln: note: {}\n", note);
  if (report.leftovers_removed > 0) {
    fmt::print(stderr,
               "kiln: note: removed {} unreferenced file(s) left by an interrupted import\n",
               report.leftovers_removed);
  }
  print_list("duplicate skipped", report.duplicates);
  print_list("bad file skipped", report.bad_files);
  fmt::print("imported {} sample(s): {} train, {} test; {} duplicate(s) skipped", report.imported,
             report.imported_train, report.imported_test, report.duplicates.size());
  if (!report.bad_files.empty()) fmt::print(", {} bad file(s) skipped", report.bad_files.size());
  fmt::print("\n");
}

struct DataArgs {
  std::string dir = ".";
  bool json = false;
  int64_t show_id = 0;
  std::string png;
};

void run_data_show(const DataArgs& args) {
  project::Project project = project::open_project(args.dir);
  const std::optional<project::SampleRecord> sample =
      project::find_sample(*project.db, args.show_id);
  if (!sample) throw Error(fmt::format("no sample with id {}", args.show_id));
  std::vector<std::string> notes;
  const data::RgbImage image = project::render_sample_plot(project, *sample, notes);
  for (const std::string& note : notes) fmt::print(stderr, "kiln: note: {}\n", note);
  data::write_png(args.png, image);
  fmt::print("sample {} ({}, {}, {:.3f} s) -> {}\n", sample->id, sample->label, sample->split,
             sample->duration_s(), args.png);
}

void run_data(const DataArgs& args) {
  project::Project project = project::open_project(args.dir);
  const project::DataSummary summary = project::summarize(project::list_samples(*project.db));
  if (args.json) {
    fmt::print("{}\n", project::summary_to_json(summary).dump(2));
  } else {
    fmt::print("{}", project::summary_to_text(summary));
  }
}

void add_project_dir_option(CLI::App* command, std::string& dir) {
  command->add_option("-C", dir, "Project directory (default: the current directory)");
}

}  // namespace

void add_project_commands(CLI::App& app) {
  auto init_args = std::make_shared<InitArgs>();
  CLI::App* init = app.add_subcommand("init", "Create a project: kiln.json, kiln.db and data/");
  init->add_option("DIR", init_args->directory, "Folder for the project (default: .)");
  add_project_dir_option(init, init_args->dir);
  init->add_option("--dsp", init_args->dsp, "DSP block (see docs/dsp.md; default mfcc)");
  init->add_option("--model", init_args->model,
                   "Learning block preset: conv1d-small, conv2d-small, dense, ds-cnn");
  init->add_option("--window-ms", init_args->window_ms, "Input window in ms");
  init->add_option("--stride-ms", init_args->stride_ms, "Window stride in ms");
  init->add_option("--epochs", init_args->epochs, "Training epochs");
  init->add_option("--seed", init_args->seed, "Seed for splits and training");
  init->add_option("--anomaly", init_args->anomaly, "Anomaly detection block: kmeans");
  init->add_option("--normal", init_args->normal_labels,
                   "Labels of normal data for the anomaly block");
  init->add_option("--clusters", init_args->clusters, "K-means clusters (default 8)");
  init->callback([init_args] { run_init(*init_args); });

  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* import_command = app.add_subcommand(
      "import",
      "Import WAV, CSV time-series, PNG/JPEG and Edge Impulse JSON files (labels from folders)");
  import_command->add_option("PATH", import_args->paths, "Files or folders to import");
  add_project_dir_option(import_command, import_args->dir);
  import_command->add_option("--label", import_args->label,
                             "Label for all files (default: folder name)");
  import_command->add_option(
      "--split-file", import_args->split_file,
      "CSV path,label,split (paths relative to its folder); PATHs then filter it");
  import_command->add_option("--test-fraction", import_args->test_fraction,
                             "Fraction of each label for the test split (default: kiln.json)");
  import_command->add_option("--group-by", import_args->group_by,
                             "Regex on file names whose first capture group names the group "
                             "(groups never straddle train/test)");
  import_command->add_flag("--skip-bad", import_args->skip_bad,
                           "Report undecodable files and continue");
  import_command->add_option(
      "--hmac-key", import_args->hmac_key,
      "Verify the HMAC-SHA256 signature of Edge Impulse acquisition files (JSON or CBOR)");
  import_command->callback([import_args] { run_import(*import_args); });

  auto data_args = std::make_shared<DataArgs>();
  CLI::App* data_command =
      app.add_subcommand("data", "Samples per label and split, durations, rates");
  add_project_dir_option(data_command, data_args->dir);
  data_command->add_flag("--json", data_args->json, "Print JSON");
  CLI::App* show =
      data_command->add_subcommand("show", "Plot one sample and its features as a PNG");
  show->add_option("ID", data_args->show_id, "Sample id (see kiln.db)")->required();
  show->add_option("--png", data_args->png, "Output PNG file")->required();
  add_project_dir_option(show, data_args->dir);
  show->callback([data_args] { run_data_show(*data_args); });
  data_command->callback([data_args, show] {
    if (!show->parsed()) run_data(*data_args);
  });
}

}  // namespace kiln::cli
