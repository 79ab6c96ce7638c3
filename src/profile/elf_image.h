// A minimal reader of 32-bit little-endian ELF files (the firmware image): sections, symbols and
// the bytes at an address. Enough to measure flash and RAM, find the marker functions and name
// the callees of call instructions, without parsing the output of binutils.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiln::profile {

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint32_t flags = 0;
  uint32_t address = 0;
  uint32_t offset = 0;
  uint32_t size = 0;

  bool allocated() const { return flags & 0x2; }    // SHF_ALLOC: occupies target memory
  bool has_file_data() const { return type != 8; }  // not SHT_NOBITS (.bss-like)
};

struct ElfSymbol {
  std::string name;
  uint32_t value = 0;  // address; a Thumb function's has bit 0 set
  uint32_t size = 0;
  uint8_t type = 0;  // STT_FUNC = 2, STT_OBJECT = 1

  uint32_t address() const { return type == 2 ? value & ~1u : value; }
};

class ElfImage {
 public:
  // Throws kiln::Error if the file is missing or not a 32-bit little-endian ELF.
  static ElfImage read(const std::filesystem::path& path);

  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfSymbol>& symbols() const { return symbols_; }

  const ElfSymbol* find_symbol(const std::string& name) const;
  // The function symbol whose [address, address + size) holds `address`.
  const ElfSymbol* function_at(uint32_t address) const;
  // The little-endian halfword stored at `address` in a section with file data.
  std::optional<uint16_t> halfword_at(uint32_t address) const;

 private:
  std::vector<uint8_t> bytes_;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;
};

// Target of the Thumb BL instruction at `address`, if one is there.
std::optional<uint32_t> thumb_bl_target(const ElfImage& elf, uint32_t address);

// Addresses of the BL instructions inside function `caller` that call `callee_address`.
std::vector<uint32_t> thumb_calls_to(const ElfImage& elf, const ElfSymbol& caller,
                                     uint32_t callee_address);

// Readable name of a C++ symbol (the symbol itself if it is not a mangled name).
std::string demangle(const std::string& symbol);

}  // namespace kiln::profile
