// Headerless sample files (.raw / .f32): little-endian int16 or float32 values, interleaved by
// axis. The caller supplies what the file cannot say: sampling frequency and axis count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "data/signal.h"

namespace kiln::data {

enum class RawType { kInt16, kFloat32 };

// int16 values are returned unscaled (-32768..32767), as the audio blocks expect.
Signal parse_raw(std::span<const uint8_t> bytes, const std::string& name, RawType type, int axes,
                 double sampling_frequency_hz);
Signal read_raw(const std::filesystem::path& path, RawType type, int axes,
                double sampling_frequency_hz);

}  // namespace kiln::data
