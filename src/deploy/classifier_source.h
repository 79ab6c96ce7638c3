// The generated kiln_classifier.h / kiln_classifier.cpp: the device-side glue that reads a window
// (or a continuous slice) through the caller's get_data callback, runs the DSP block into the
// model's input tensor, normalizes, scores anomalies, runs the network and fills kiln_result_t.
#pragma once

#include <string>

#include "deploy/arena_layout.h"
#include "deploy/dsp_plan.h"
#include "pipeline/trained_pipeline.h"

namespace kiln::deploy {

enum class NetworkEngine { kNone, kAot, kTflm };

struct ClassifierSource {
  std::string header;  // kiln_classifier.h
  std::string source;  // kiln_classifier.cpp
};

ClassifierSource classifier_source(const pipeline::TrainedPipeline& pipeline, const DspPlan& dsp,
                                   const ArenaLayout& arena, NetworkEngine engine,
                                   const std::string& model_name, int smoothing_max);

// `text` as a C string literal, quotes included.
std::string c_string_literal(const std::string& text);

// Replaces every @KEY@ of `text`; throws if a key is left unreplaced.
std::string fill_template(std::string text,
                          const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace kiln::deploy
