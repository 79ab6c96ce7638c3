#include "data/raw_reader.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "data/file_bytes.h"

namespace kiln::data {

Signal parse_raw(std::span<const uint8_t> bytes, const std::string& name, RawType type, int axes,
                 double sampling_frequency_hz) {
  if (axes < 1) throw Error(fmt::format("{}: axes must be at least 1", name));
  if (!(sampling_frequency_hz > 0)) {
    throw Error(fmt::format("{}: a raw file needs --set sampling_frequency_hz=...", name));
  }
  const size_t width = type == RawType::kInt16 ? 2 : 4;
  const size_t frame_bytes = width * static_cast<size_t>(axes);
  if (bytes.empty()) throw Error(fmt::format("{}: empty file", name));
  if (bytes.size() % frame_bytes != 0) {
    throw Error(fmt::format("{}: {} bytes is not a whole number of {}-axis {} samples", name,
                            bytes.size(), axes, type == RawType::kInt16 ? "int16" : "float32"));
  }
  Signal s;
  s.sampling_frequency_hz = sampling_frequency_hz;
  s.axes = axes;
  for (int a = 0; a < axes; ++a) s.axis_names.push_back(fmt::format("axis{}", a));
  s.samples.resize(bytes.size() / width);
  for (size_t i = 0; i < s.samples.size(); ++i) {
    const uint8_t* p = bytes.data() + i * width;
    if (type == RawType::kInt16) {
      s.samples[i] =
          static_cast<float>(static_cast<int16_t>(static_cast<uint16_t>(p[0] | p[1] << 8)));
    } else {
      const uint32_t bits = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                            static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
      std::memcpy(&s.samples[i], &bits, 4);
    }
  }
  return s;
}

Signal read_raw(const std::filesystem::path& path, RawType type, int axes,
                double sampling_frequency_hz) {
  return parse_raw(read_file_bytes(path), path.string(), type, axes, sampling_frequency_hz);
}

}  // namespace kiln::data
