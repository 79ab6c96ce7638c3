// Features page routes: one sample's features as an image for any DSP block and parameters, and
// the 2-D explorer of every sample's features. Block parameters come as query parameters
// "p.NAME=VALUE"; without "block" the project's DSP block and parameters apply.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "data/feature_blocks.h"
#include "data/heatmap_png.h"
#include "project/sample_index.h"
#include "studio/feature_explorer.h"
#include "studio/http_util.h"
#include "studio/image_cache.h"
#include "studio/path_guard.h"
#include "studio/routes.h"

namespace kiln::studio {

namespace {

struct BlockChoice {
  std::string block;
  data::ParamMap params;
};

BlockChoice block_choice(const httplib::Request& req, const project::Project& project) {
  if (!req.has_param("block")) return {project.config.dsp.block, project.config.dsp.params};
  BlockChoice choice{req.get_param_value("block"), {}};
  const std::vector<std::string> names = data::feature_block_names();
  const std::string canonical = choice.block == "spectral_analysis" ? "spectral" : choice.block;
  if (std::find(names.begin(), names.end(), canonical) == names.end()) {
    throw HttpError(400, fmt::format("unknown DSP block '{}'", choice.block));
  }
  for (const auto& [key, value] : req.params) {
    if (key.rfind("p.", 0) == 0 && key.size() > 2) choice.params[key.substr(2)] = value;
  }
  return choice;
}

// The feature matrix as a heatmap: frames along x, features along y; an image block's
// (height, width, channels) output is drawn as its first channel.
data::RgbImage features_picture(const std::string& block, const data::Features& f) {
  if (f.values.empty() || f.shape.empty()) throw HttpError(400, "the block gave no features");
  int rows = static_cast<int>(f.shape[0]);
  int cols = f.shape.size() >= 2 ? static_cast<int>(f.shape[1]) : 1;
  std::vector<float> values = f.values;
  std::string x_label = f.dims.empty() ? "row" : f.dims[0];
  std::string y_label = f.dims.size() >= 2 ? f.dims[1] : "value";
  if (f.shape.size() == 3) {
    const size_t channels = static_cast<size_t>(f.shape[2]);
    values.clear();
    for (size_t i = 0; i < f.values.size(); i += channels) values.push_back(f.values[i]);
  }
  const data::HeatmapLabels labels{fmt::format("{}: {} x {}", block, rows, cols), x_label, y_label};
  return data::render_heatmap(values, rows, cols, labels);
}

}  // namespace

void add_feature_routes(httplib::Server& server, StudioContext& context) {
  server.Get(R"(/api/samples/(\d+)/features\.png)",
             guarded([&context](const httplib::Request& req, httplib::Response& res) {
               project::Project p = context.open();
               const int64_t id = path_id(req);
               const auto sample = project::find_sample(*p.db, id);
               if (!sample) throw HttpError(404, fmt::format("no sample with id {}", id));
               const BlockChoice choice = block_choice(req, p);
               const std::string key =
                   fmt::format("features|{}|{}|{}", sample->content_hash, choice.block,
                               nlohmann::json(choice.params).dump());
               const std::string png = cached_png(context, key, [&] {
                 // As `kiln features BLOCK FILE`: the block over the whole recording.
                 const data::BlockInput input =
                     data::load_block_input(resolve_inside(p.root, sample->path), choice.params);
                 return features_picture(
                     choice.block, data::compute_features(choice.block, input, choice.params));
               });
               res.set_header("Cache-Control", "private, max-age=3600");
               res.set_content(png, "image/png");
             }));

  server.Get(
      "/api/features/explorer",
      guarded([&context](const httplib::Request& req, httplib::Response& res) {
        const auto start = std::chrono::steady_clock::now();
        project::Project p = context.open();
        const BlockChoice choice = block_choice(req, p);
        const ExplorerResult r =
            explore_features(p, choice.block, choice.params, context.explorer_cache);
        nlohmann::json points = nlohmann::json::array();
        for (const ExplorerPoint& pt : r.points) {
          points.push_back(
              {{"id", pt.id}, {"label", pt.label}, {"split", pt.split}, {"x", pt.x}, {"y", pt.y}});
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        send_json(res, {{"block", choice.block},
                        {"points", points},
                        {"explained", {r.explained[0], r.explained[1]}},
                        {"feature_count", r.feature_count},
                        {"computed", r.computed},
                        {"skipped", r.skipped},
                        {"seconds", seconds}});
      }));
}

}  // namespace kiln::studio
