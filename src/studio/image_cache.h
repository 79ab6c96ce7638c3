// PNG pictures the pages show (sample plots, feature images), rendered on first request and kept
// in PROJECT/.studio/cache/ under a hash of everything they depend on, so a page that shows them
// again reads a file instead of rerunning the DSP block.
#pragma once

#include <functional>
#include <string>

#include "data/heatmap_png.h"
#include "studio/studio_context.h"

namespace kiln::studio {

// The PNG bytes for `key` (any text naming the picture's inputs): from the cache, or rendered by
// `render` and cached.
std::string cached_png(const StudioContext& context, const std::string& key,
                       const std::function<data::RgbImage()>& render);

}  // namespace kiln::studio
