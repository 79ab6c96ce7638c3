// `kiln profile` on a trained project: the whole pipeline (DSP block + network) as the deployed
// library runs it on a Cortex-M4F. The project is deployed (`kiln deploy`'s library, AOT engine)
// into the build folder, linked into a firmware whose main calls the library's two phases apart
// on the window built into example/kiln_sample.h, and run on QEMU twice: Kiln's counting plugin
// counts kiln_compute_features (DSP and normalization) in one run and kiln_run_network (anomaly
// score and network) in the other, each exactly from its entry to its return. The emulated scores
// must equal the host's for the same window bit for bit.
#pragma once

#include <filesystem>
#include <vector>

#include "pipeline/classifier.h"
#include "profile/profile.h"

namespace kiln::profile {

// One report per precision, in the order given. `options.inputs` is not used (the project's first
// test sample is), `options.work_dir` gets one subfolder per precision. Throws kiln::Error on an
// untrained project, a failed build or a failed run.
std::vector<ProfileReport> profile_project(const std::filesystem::path& project_dir,
                                           const std::vector<pipeline::Precision>& precisions,
                                           const ProfileOptions& options);

}  // namespace kiln::profile
