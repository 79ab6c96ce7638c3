// kiln data show ID --png F: a picture of one sample — its waveform (one colour per axis) above
// the features the project's DSP block computes from it, or the image itself for image samples.
#pragma once

#include <string>
#include <vector>

#include "data/heatmap_png.h"
#include "project/project.h"
#include "project/sample_index.h"

namespace kiln::project {

// `notes` receives informational messages (e.g. why the features could not be drawn).
data::RgbImage render_sample_plot(const Project& project, const SampleRecord& sample,
                                  std::vector<std::string>& notes);

}  // namespace kiln::project
