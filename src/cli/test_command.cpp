// kiln test: accuracy, per-class precision/recall/F1 and confusion matrices of the trained
// pipeline on the test split, float32 and int8 side by side.
#include <fmt/format.h>

#include "cli/commands.h"
#include "pipeline/test_project.h"
#include "project/project.h"

namespace kiln::cli {

namespace {

struct TestArgs {
  std::string dir = ".";
  bool json = false;
};

void print_precision(const pipeline::PrecisionReport& pr) {
  const eval::ClassificationMetrics& m = pr.windows;
  fmt::print(
      "{}: accuracy {:.2f}% per window ({} windows), {:.2f}% per sample (majority vote, "
      "{} samples), macro F1 {:.3f}\n",
      pipeline::precision_name(pr.precision), 100 * m.accuracy, m.total, 100 * pr.samples.accuracy,
      pr.samples.total, m.macro_f1);
  fmt::print("  {:<16} {:>9} {:>9} {:>9}\n", "label", "precision", "recall", "F1");
  for (size_t c = 0; c < m.labels.size(); ++c) {
    fmt::print("  {:<16} {:>9.3f} {:>9.3f} {:>9.3f}\n", m.labels[c], m.precision[c], m.recall[c],
               m.f1[c]);
  }
  fmt::print("  confusion (rows: true label, columns: predicted):\n");
  const std::string text = eval::format_confusion(m);
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    fmt::print("    {}\n", text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

void run_test(const TestArgs& args) {
  const project::Project project = project::open_project(args.dir);
  const pipeline::TestReport report = pipeline::test_project(project);
  if (args.json) {
    fmt::print("{}\n", pipeline::test_report_json(report).dump(2));
    return;
  }
  fmt::print("test split: {} samples, {} windows\n", report.test_samples, report.test_windows);
  for (const auto& pr : report.precisions) print_precision(pr);
  if (report.anomaly) {
    const auto& a = *report.anomaly;
    fmt::print(
        "anomaly (K-means): AUC {}, {} of {} windows anomalous, {:.1f}% flagged correctly "
        "at threshold {:.4g}\n",
        a.auc ? fmt::format("{:.4f}", *a.auc) : std::string("n/a"), a.anomalous_windows, a.windows,
        100 * a.accuracy_at_threshold, a.threshold);
  }
  for (const auto& path : report.written) fmt::print("wrote {}\n", path.string());
}

}  // namespace

void add_test_command(CLI::App& app) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* cmd =
      app.add_subcommand("test", "Evaluate the trained pipeline on the test split (float32, int8)");
  cmd->add_option("-C", args->dir, "Project directory (default: the current directory)");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] { run_test(*args); });
}

}  // namespace kiln::cli
