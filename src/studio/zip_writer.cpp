#include "studio/zip_writer.h"

#include <fmt/format.h>

#include <array>
#include <limits>

#include "core/error.h"

namespace kiln::studio {

namespace {

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

void put16(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}

void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

// 1980-01-01 00:00 in MS-DOS format: a fixed time keeps archives of the same files identical.
constexpr uint32_t kDosTime = 0;
constexpr uint32_t kDosDate = (0 << 9) | (1 << 5) | 1;

}  // namespace

uint32_t crc32(std::string_view bytes) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  uint32_t c = 0xffffffffu;
  for (const char ch : bytes) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::string make_stored_zip(const std::map<std::string, std::string>& files,
                            const std::string& prefix) {
  constexpr uint64_t kLimit = std::numeric_limits<uint32_t>::max();
  if (files.size() > 0xffff) throw Error("zip: more than 65535 entries");
  std::string out, central;
  for (const auto& [path, contents] : files) {
    const std::string name = prefix + path;
    if (contents.size() >= kLimit || name.size() > 0xffff || out.size() >= kLimit) {
      throw Error(fmt::format("zip: entry {} is too large for a ZIP without ZIP64", name));
    }
    const uint32_t crc = crc32(contents);
    const auto size = static_cast<uint32_t>(contents.size());
    const auto offset = static_cast<uint32_t>(out.size());
    // Local file header.
    put32(out, 0x04034b50);
    put16(out, 10);       // version needed: 1.0 (stored)
    put16(out, 1 << 11);  // flags: the name is UTF-8
    put16(out, 0);        // method: stored
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, crc);
    put32(out, size);  // compressed size
    put32(out, size);  // uncompressed size
    put16(out, static_cast<uint32_t>(name.size()));
    put16(out, 0);  // extra field length
    out += name;
    out += contents;
    // Central directory entry.
    put32(central, 0x02014b50);
    put16(central, (3 << 8) | 20);  // made by: Unix, spec 2.0
    put16(central, 10);
    put16(central, 1 << 11);
    put16(central, 0);
    put16(central, kDosTime);
    put16(central, kDosDate);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<uint32_t>(name.size()));
    put16(central, 0);               // extra
    put16(central, 0);               // comment
    put16(central, 0);               // disk number
    put16(central, 0);               // internal attributes
    put32(central, 0100644u << 16);  // external attributes: a regular file, rw-r--r--
    put32(central, offset);
    central += name;
  }
  if (out.size() + central.size() >= kLimit) throw Error("zip: archive too large without ZIP64");
  const auto central_offset = static_cast<uint32_t>(out.size());
  out += central;
  // End of central directory record.
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(files.size()));
  put16(out, static_cast<uint32_t>(files.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, central_offset);
  put16(out, 0);  // comment length
  return out;
}

}  // namespace kiln::studio
