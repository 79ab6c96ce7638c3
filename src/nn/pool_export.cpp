#include "nn/pool_export.h"

namespace kiln::nn {

void export_pool(ExportGraph& graph, ir::OpType type, const WindowGeometry& g, ir::Padding padding,
                 const std::string& name) {
  graph.reshape_to({1, g.in_h, g.in_w, g.channels}, name + "/input");
  ir::Pool2DOptions options;
  options.padding = padding;
  options.stride_h = g.stride_h;
  options.stride_w = g.stride_w;
  options.filter_h = g.window_h;
  options.filter_w = g.window_w;
  graph.add_op(type, {graph.current()}, name, {1, g.out_h, g.out_w, g.channels}, options);
}

}  // namespace kiln::nn
