// WAV (RIFF/WAVE) reader: PCM 8/16/24/32-bit and IEEE float 32/64-bit, any channel count,
// WAVE_FORMAT_EXTENSIBLE included.
//
// Samples are returned as float in int16 units whatever the file's format (8-bit (v - 128) * 256,
// 16-bit v, 24-bit v / 256, 32-bit v / 65536, float v * 32768), because the audio blocks follow the
// Edge Impulse convention of feeding int16-scaled audio. Truncated or malformed files raise
// kiln::Error with a one-line message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "data/signal.h"

namespace kiln::data {

Signal parse_wav(std::span<const uint8_t> bytes, const std::string& name);
Signal read_wav(const std::filesystem::path& path);

}  // namespace kiln::data
