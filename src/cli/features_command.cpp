// kiln features BLOCK INPUT -o OUT.f32 [--set name=value ...] [--png OUT.png]: runs one DSP block
// on a WAV / CSV / image / raw file and writes the features as little-endian float32, row-major.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "core/error.h"
#include "data/feature_blocks.h"
#include "data/heatmap_png.h"

namespace kiln::cli {

namespace {

struct FeaturesArgs {
  std::string block;
  std::string input;
  std::string output;
  std::vector<std::string> sets;
  std::string png;
};

data::ParamMap parse_sets(const std::vector<std::string>& sets) {
  data::ParamMap params;
  for (const std::string& s : sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(fmt::format("--set {}: expected name=value", s));
    }
    const std::string name = s.substr(0, eq);
    if (params.count(name)) throw Error(fmt::format("--set {}: given twice", name));
    params[name] = s.substr(eq + 1);
  }
  return params;
}

void write_f32(const std::string& path, const std::vector<float>& values) {
  static_assert(std::endian::native == std::endian::little, "output is little-endian float32");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(fmt::format("{}: cannot open for writing", path));
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!out) throw Error(fmt::format("{}: write failed", path));
}

void write_picture(const std::string& path, const std::string& block, const data::Features& f) {
  if (f.shape.size() == 3) {
    // An image block's output is itself an image: show it directly, value range stretched.
    const int h = static_cast<int>(f.shape[0]), w = static_cast<int>(f.shape[1]);
    const int c = static_cast<int>(f.shape[2]);
    const auto [lo, hi] = std::minmax_element(f.values.begin(), f.values.end());
    const float span = *hi > *lo ? *hi - *lo : 1.0f;
    data::RgbImage image{w, h, std::vector<uint8_t>(static_cast<size_t>(w) * h * 3)};
    for (size_t p = 0; p < static_cast<size_t>(w) * h; ++p) {
      for (int k = 0; k < 3; ++k) {
        const float v = f.values[p * c + (c == 3 ? k : 0)];
        image.pixels[p * 3 + k] = static_cast<uint8_t>(std::lround(255.0f * (v - *lo) / span));
      }
    }
    data::write_png(path, image);
    return;
  }
  const int rows = static_cast<int>(f.shape[0]), cols = static_cast<int>(f.shape[1]);
  const data::HeatmapLabels labels{
      fmt::format("{}: {} {} x {} {}", block, rows, f.dims[0], cols, f.dims[1]), f.dims[0],
      f.dims[1]};
  data::write_png(path, data::render_heatmap(f.values, rows, cols, labels));
}

void run(const FeaturesArgs& args) {
  const data::ParamMap params = parse_sets(args.sets);
  const data::BlockInput input = data::load_block_input(args.input, params);
  const data::Features features = data::compute_features(args.block, input, params);
  for (const std::string& note : features.notes) fmt::print(stderr, "kiln: note: {}\n", note);
  write_f32(args.output, features.values);
  if (!args.png.empty()) write_picture(args.png, args.block, features);
  fmt::print("{} ({})\n", fmt::join(features.shape, " x "), fmt::join(features.dims, " x "));
}

}  // namespace

void add_features_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "features", "Compute DSP features (raw, flatten, spectral, spectrogram, mfe, mfcc, image)");
  auto args = std::make_shared<FeaturesArgs>();
  cmd->add_option("BLOCK", args->block,
                  "block: raw, flatten, spectral, spectrogram, mfe, mfcc, image")
      ->required();
  cmd->add_option("INPUT", args->input, "input: .wav, .csv, .png/.jpg, or .raw/.f32")->required();
  cmd->add_option("-o,--output", args->output, "features as little-endian float32, row-major")
      ->required();
  cmd->add_option("--set", args->sets, "block parameter name=value (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--png", args->png, "also draw the features as a PNG heatmap");
  cmd->callback([args] { run(*args); });
}

}  // namespace kiln::cli
