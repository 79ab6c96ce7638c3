// The TFLite operator shared by the pooling layers.
#pragma once

#include <string>

#include "nn/export_graph.h"
#include "nn/window_geometry.h"

namespace kiln::nn {

// Appends MAX_POOL_2D or AVERAGE_POOL_2D for `g`, reshaping 1-D samples to height 1 first.
void export_pool(ExportGraph& graph, ir::OpType type, const WindowGeometry& g, ir::Padding padding,
                 const std::string& name);

}  // namespace kiln::nn
