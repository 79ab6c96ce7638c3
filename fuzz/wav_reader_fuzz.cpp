// libFuzzer entry point for the WAV reader: any byte string must either decode or raise
// kiln::Error; never crash, leak or read out of bounds. Decoded audio also goes through the MFE
// block (which must accept or cleanly refuse it).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/error.h"
#include "data/wav_reader.h"
#include "dsp/mfe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const kiln::data::Signal s =
        kiln::data::parse_wav(std::span<const uint8_t>(data, size), "fuzz");
    if (s.axes != 1) return 0;
    kiln::dsp::MfeParams p{};
    p.audio.sampling_frequency = static_cast<float>(s.sampling_frequency_hz);
    p.audio.frame_length = 0.02f;
    p.audio.frame_stride = 0.01f;
    p.audio.fft_length = 256;
    p.audio.implementation_version = 4;
    p.num_filters = 40;
    p.noise_floor_db = -52;
    if (kiln::dsp::mfe_check(p) != nullptr) return 0;
    const int32_t frames = kiln::dsp::mfe_num_frames(p, s.frames());
    if (frames < 1 || frames > 100000) return 0;
    std::vector<uint64_t> workspace(kiln::dsp::mfe_workspace_bytes(p) / 8 + 1);
    std::vector<float> out(static_cast<size_t>(frames) * 40);
    kiln::dsp::mfe_compute(p, s.samples.data(), s.frames(), out.data(), out.size(),
                           workspace.data(), workspace.size() * 8);
  } catch (const kiln::Error&) {
  }
  return 0;
}
