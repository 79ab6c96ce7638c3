// libFuzzer entry point for the CSV reader: any text must either parse or raise kiln::Error.
// Parsed series also go through the flatten and spectral blocks.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "data/csv_reader.h"
#include "dsp/flatten.h"
#include "dsp/spectral_analysis.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const kiln::data::Signal s =
        kiln::data::parse_csv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    if (s.axes > 1024) return 0;
    const size_t n = s.frames();
    kiln::dsp::FlattenParams f{s.axes, 1.0f, true, true, true, true, true, true, true};
    std::vector<uint64_t> ws(kiln::dsp::flatten_workspace_bytes(f, n) / 8 + 1);
    std::vector<float> out(static_cast<size_t>(s.axes) * 7);
    kiln::dsp::flatten_compute(f, s.samples.data(), n, out.data(), out.size(), ws.data(),
                               ws.size() * 8);

    kiln::dsp::SpectralParams p{};
    p.sampling_frequency = static_cast<float>(s.sampling_frequency_hz);
    p.axes = s.axes;
    p.scale_axes = 1.0f;
    p.implementation_version = 4;
    p.input_decimation_ratio = 1;
    p.filter_type = kiln::dsp::kFilterNone;
    p.fft_length = 16;
    p.do_log = true;
    p.do_fft_overlap = true;
    if (kiln::dsp::spectral_check(p) != nullptr) return 0;
    std::vector<uint64_t> sws(kiln::dsp::spectral_workspace_bytes(p, n) / 8 + 1);
    std::vector<float> features(static_cast<size_t>(s.axes) * kiln::dsp::spectral_num_features(p));
    kiln::dsp::spectral_compute(p, s.samples.data(), n, features.data(), features.size(),
                                sws.data(), sws.size() * 8);
  } catch (const kiln::Error&) {
  }
  return 0;
}
