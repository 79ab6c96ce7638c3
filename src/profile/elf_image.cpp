#include "profile/elf_image.h"

#include <cxxabi.h>
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

#include "core/error.h"

namespace kiln::profile {

namespace {

// Bounds-checked little-endian field reads: a truncated or corrupt file gives an error, never
// an out-of-range access.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  uint32_t u32(uint64_t at) const {
    check(at, 4);
    return static_cast<uint32_t>(bytes_[at]) | (static_cast<uint32_t>(bytes_[at + 1]) << 8) |
           (static_cast<uint32_t>(bytes_[at + 2]) << 16) |
           (static_cast<uint32_t>(bytes_[at + 3]) << 24);
  }
  uint16_t u16(uint64_t at) const {
    check(at, 2);
    return static_cast<uint16_t>(bytes_[at] | (bytes_[at + 1] << 8));
  }
  uint8_t u8(uint64_t at) const {
    check(at, 1);
    return bytes_[at];
  }
  std::string string_at(uint64_t table_offset, uint64_t table_size, uint32_t index) const {
    if (index >= table_size) throw Error(fmt::format("'{}': bad ELF string index", path_));
    std::string s;
    for (uint64_t i = table_offset + index; i < table_offset + table_size; ++i) {
      const uint8_t c = u8(i);
      if (c == 0) return s;
      s += static_cast<char>(c);
    }
    throw Error(fmt::format("'{}': unterminated ELF string", path_));
  }
  void check(uint64_t at, uint64_t n) const {
    if (at > bytes_.size() || n > bytes_.size() - at)
      throw Error(fmt::format("'{}': truncated or corrupt ELF file", path_));
  }

 private:
  const std::vector<uint8_t>& bytes_;
  const std::string& path_;
};

}  // namespace

ElfImage ElfImage::read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open '{}'", path.string()));
  ElfImage elf;
  elf.bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  const std::string name = path.string();
  const Reader r(elf.bytes_, name);
  r.check(0, 52);
  if (r.u32(0) != 0x464C457F || r.u8(4) != 1 || r.u8(5) != 1)
    throw Error(fmt::format("'{}' is not a 32-bit little-endian ELF file", name));

  const uint32_t shoff = r.u32(32);
  const uint16_t shentsize = r.u16(46), shnum = r.u16(48), shstrndx = r.u16(50);
  if (shentsize < 40) throw Error(fmt::format("'{}': bad ELF section header size", name));
  struct Raw {
    uint32_t name, type, flags, addr, offset, size, link, entsize;
  };
  std::vector<Raw> raw;
  for (uint32_t i = 0; i < shnum; ++i) {
    const uint64_t h = static_cast<uint64_t>(shoff) + static_cast<uint64_t>(i) * shentsize;
    raw.push_back({r.u32(h), r.u32(h + 4), r.u32(h + 8), r.u32(h + 12), r.u32(h + 16),
                   r.u32(h + 20), r.u32(h + 24), r.u32(h + 36)});
  }
  if (shstrndx >= raw.size()) throw Error(fmt::format("'{}': no ELF section name table", name));
  const Raw& names = raw[shstrndx];
  for (const Raw& s : raw) {
    elf.sections_.push_back(
        {r.string_at(names.offset, names.size, s.name), s.type, s.flags, s.addr, s.offset, s.size});
  }

  for (const Raw& s : raw) {
    if (s.type != 2) continue;  // SHT_SYMTAB
    if (s.link >= raw.size() || s.entsize < 16)
      throw Error(fmt::format("'{}': bad symbol table", name));
    const Raw& strings = raw[s.link];
    for (uint64_t at = s.offset; at + 16 <= static_cast<uint64_t>(s.offset) + s.size;
         at += s.entsize) {
      ElfSymbol sym;
      const uint32_t name_index = r.u32(at);
      sym.value = r.u32(at + 4);
      sym.size = r.u32(at + 8);
      sym.type = r.u8(at + 12) & 0xF;
      if (name_index == 0) continue;
      sym.name = r.string_at(strings.offset, strings.size, name_index);
      elf.symbols_.push_back(std::move(sym));
    }
  }
  return elf;
}

const ElfSymbol* ElfImage::find_symbol(const std::string& name) const {
  for (const ElfSymbol& s : symbols_)
    if (s.name == name) return &s;
  return nullptr;
}

const ElfSymbol* ElfImage::function_at(uint32_t address) const {
  for (const ElfSymbol& s : symbols_) {
    if (s.type != 2) continue;
    const uint32_t start = s.address();
    if (address == start || (address > start && address - start < s.size)) return &s;
  }
  return nullptr;
}

std::optional<uint16_t> ElfImage::halfword_at(uint32_t address) const {
  for (const ElfSection& s : sections_) {
    if (!s.allocated() || !s.has_file_data()) continue;
    if (address < s.address || address - s.address + 2 > s.size) continue;
    const uint64_t at = static_cast<uint64_t>(s.offset) + (address - s.address);
    if (at + 2 > bytes_.size()) return std::nullopt;
    return static_cast<uint16_t>(bytes_[at] | (bytes_[at + 1] << 8));
  }
  return std::nullopt;
}

std::optional<uint32_t> thumb_bl_target(const ElfImage& elf, uint32_t address) {
  const auto first = elf.halfword_at(address);
  const auto second = elf.halfword_at(address + 2);
  // BL T1: 11110 S imm10 | 11 J1 1 J2 imm11; I1 = !(J1 ^ S), I2 = !(J2 ^ S).
  if (!first || !second || (*first & 0xF800) != 0xF000 || (*second & 0xD000) != 0xD000)
    return std::nullopt;
  const uint32_t s = (*first >> 10) & 1, imm10 = *first & 0x3FFu;
  const uint32_t j1 = (*second >> 13) & 1, j2 = (*second >> 11) & 1, imm11 = *second & 0x7FFu;
  const uint32_t i1 = (j1 ^ s) ^ 1u, i2 = (j2 ^ s) ^ 1u;
  uint32_t offset = (s << 24) | (i1 << 23) | (i2 << 22) | (imm10 << 12) | (imm11 << 1);
  if (s) offset |= 0xFE000000u;  // sign-extend the 25-bit offset
  return address + 4 + offset;   // wraps modulo 2^32 like the hardware
}

std::vector<uint32_t> thumb_calls_to(const ElfImage& elf, const ElfSymbol& caller,
                                     uint32_t callee_address) {
  std::vector<uint32_t> sites;
  const uint32_t start = caller.address(), end = start + caller.size;
  for (uint32_t at = start; at + 2 <= end;) {
    const auto first = elf.halfword_at(at);
    if (!first) break;
    const bool wide = (*first >> 11) >= 0x1D;
    if (wide && at + 4 <= end) {
      const auto target = thumb_bl_target(elf, at);
      if (target && *target == callee_address) sites.push_back(at);
    }
    at += wide ? 4 : 2;
  }
  return sites;
}

std::string demangle(const std::string& symbol) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : symbol;
}

}  // namespace kiln::profile
