#include "data/wav_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cstring>

#include "core/error.h"
#include "data/file_bytes.h"

namespace kiln::data {

namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xfffe;

uint16_t u16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}
uint32_t u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

struct Format {
  uint16_t tag = 0;
  uint16_t channels = 0;
  uint32_t sample_rate = 0;
  uint16_t block_align = 0;
  uint16_t bits = 0;
};

Format parse_fmt(const uint8_t* p, uint32_t size, const std::string& name) {
  if (size < 16) throw Error(fmt::format("{}: fmt chunk too short ({} bytes)", name, size));
  Format f;
  f.tag = u16(p);
  f.channels = u16(p + 2);
  f.sample_rate = u32(p + 4);
  f.block_align = u16(p + 12);
  f.bits = u16(p + 14);
  if (f.tag == kFormatExtensible) {
    // cbSize(2) validBits(2) channelMask(4) then the sub-format GUID, whose first two bytes are
    // the actual format tag.
    if (size < 40) throw Error(fmt::format("{}: extensible fmt chunk too short", name));
    f.tag = u16(p + 24);
  }
  if (f.tag != kFormatPcm && f.tag != kFormatFloat) {
    throw Error(fmt::format(
        "{}: unsupported WAV encoding (format tag {:#x}); only PCM and IEEE float are read", name,
        f.tag));
  }
  if (f.channels == 0) throw Error(fmt::format("{}: WAV declares 0 channels", name));
  if (f.sample_rate == 0) throw Error(fmt::format("{}: WAV declares a sample rate of 0", name));
  const bool pcm_ok =
      f.tag == kFormatPcm && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32);
  const bool float_ok = f.tag == kFormatFloat && (f.bits == 32 || f.bits == 64);
  if (!pcm_ok && !float_ok) {
    throw Error(fmt::format("{}: unsupported {} sample size of {} bits", name,
                            f.tag == kFormatPcm ? "PCM" : "float", f.bits));
  }
  if (f.block_align != f.channels * (f.bits / 8)) {
    throw Error(fmt::format("{}: inconsistent WAV block alignment {} for {} channels of {} bits",
                            name, f.block_align, f.channels, f.bits));
  }
  return f;
}

// One sample in int16 units.
float decode(const uint8_t* p, const Format& f) {
  if (f.tag == kFormatFloat) {
    if (f.bits == 32) {
      float v;
      uint32_t bits = u32(p);
      std::memcpy(&v, &bits, 4);
      return v * 32768.0f;
    }
    const uint64_t bits = static_cast<uint64_t>(u32(p)) | static_cast<uint64_t>(u32(p + 4)) << 32;
    double v;
    std::memcpy(&v, &bits, 8);
    // Out-of-range doubles would make the conversion undefined; saturate them instead.
    const double scaled =
        std::clamp(v * 32768.0, -static_cast<double>(FLT_MAX), static_cast<double>(FLT_MAX));
    return static_cast<float>(scaled);
  }
  switch (f.bits) {
    case 8:
      return static_cast<float>((static_cast<int>(p[0]) - 128) * 256);
    case 16:
      return static_cast<float>(static_cast<int16_t>(u16(p)));
    case 24: {
      // Sign-extend from bit 23 without shifting into the sign bit of an int.
      int32_t v = static_cast<int32_t>(p[0] | p[1] << 8 | p[2] << 16);
      if (v & 0x800000) v -= 0x1000000;
      return static_cast<float>(v) / 256.0f;
    }
    default:
      return static_cast<float>(static_cast<int32_t>(u32(p))) / 65536.0f;
  }
}

}  // namespace

Signal parse_wav(std::span<const uint8_t> bytes, const std::string& name) {
  const size_t total = bytes.size();
  const uint8_t* b = bytes.data();
  if (total < 12 || std::memcmp(b, "RIFF", 4) != 0 || std::memcmp(b + 8, "WAVE", 4) != 0) {
    throw Error(fmt::format("{}: not a WAV file (no RIFF/WAVE header)", name));
  }
  Format format;
  bool have_format = false;
  size_t at = 12;
  while (true) {
    if (total - at < 8) {
      throw Error(fmt::format("{}: {}", name,
                              have_format ? "no data chunk (file truncated?)" : "no fmt chunk"));
    }
    const uint8_t* chunk = b + at;
    const uint32_t size = u32(chunk + 4);
    const size_t available = total - at - 8;
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (size > available) throw Error(fmt::format("{}: truncated fmt chunk", name));
      format = parse_fmt(chunk + 8, size, name);
      have_format = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_format) throw Error(fmt::format("{}: data chunk before fmt chunk", name));
      if (size > available) {
        throw Error(fmt::format("{}: truncated: data chunk declares {} bytes, only {} present",
                                name, size, available));
      }
      if (size % format.block_align != 0) {
        throw Error(
            fmt::format("{}: data chunk of {} bytes is not a whole number of {}-byte "
                        "frames",
                        name, size, format.block_align));
      }
      Signal s;
      s.sampling_frequency_hz = format.sample_rate;
      s.axes = format.channels;
      for (int c = 0; c < format.channels; ++c) s.axis_names.push_back(fmt::format("ch{}", c));
      const size_t width = format.bits / 8;
      const size_t count = size / width;
      s.samples.resize(count);
      const uint8_t* data = chunk + 8;
      for (size_t i = 0; i < count; ++i) s.samples[i] = decode(data + i * width, format);
      if (s.samples.empty()) throw Error(fmt::format("{}: WAV holds no samples", name));
      return s;
    }
    // Skip any other chunk; chunks are padded to an even size.
    const size_t skip = static_cast<size_t>(size) + (size & 1u);
    if (skip > available) throw Error(fmt::format("{}: truncated chunk", name));
    at += 8 + skip;
  }
}

Signal read_wav(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return parse_wav(bytes, path.string());
}

}  // namespace kiln::data
