// Kiln's QEMU TCG plugin: counts the guest instructions executed between two marker addresses,
// exactly, together with the per-class counts and the Cortex-M4 cycle estimate of thumb_cycles.h.
//
// kiln builds it at run time with the host compiler:
//   g++ -std=c++17 -O2 -shared -fPIC -fvisibility=hidden kiln_count_plugin.cpp thumb_cycles.cpp
// and loads it with
//   qemu-system-arm ... -plugin ./kiln_count.so,begin=0xADDR,end=0xADDR,out=counts.txt
// optionally with calls_from=0xADDR,calls_to=0xADDR: every call instruction (BL, BLX register)
// executed inside that address range (the model's invoke function) is sampled too, giving the
// cost of each kernel call.
//
// The report file holds "key value" lines: regions, instructions, cycles, taken_branches,
// "class NAME COUNT" per instruction class, total_instructions, and "call ADDRESS INSTRUCTIONS
// CYCLES" per sampled call. The counted region runs from the first instruction of the begin
// marker up to, not including, the first instruction of the end marker.
//
// How the count stays exact and cheap: at translation time every translation block (TB) gets a
// summary (instructions, static cycles, per-class counts) and one execution callback that adds the
// summary to running totals. A TB is straight-line code that runs to its end unless an exception
// interrupts it, which does not happen between the markers. When a TB holds a marker, the
// callback also records the totals as they stood just before the marker instruction (the counts
// of the TB's instructions ahead of it are stored with the TB). A taken branch shows as a TB that
// does not start where the previously executed TB ended.
//
// QEMU ships no plugin header in Debian, so the few API entries used are declared below from the
// documented plugin ABI of QEMU 7.2 (API version 1).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "thumb_cycles.h"

extern "C" {

typedef uint64_t qemu_plugin_id_t;

struct qemu_info_t;  // only passed through
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS,
  QEMU_PLUGIN_CB_R_REGS,
  QEMU_PLUGIN_CB_RW_REGS,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void* userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb* tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void* userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t idx);
const void* qemu_plugin_insn_data(const struct qemu_plugin_insn* insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void* userdata);
void qemu_plugin_outs(const char* string);

// The API version this plugin was written against; QEMU refuses plugins without it.
__attribute__((visibility("default"))) int qemu_plugin_version = 1;

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
                                                               const qemu_info_t* info, int argc,
                                                               char** argv);
}

namespace {

using kiln::profile::InsnClass;
using kiln::profile::InsnTiming;

constexpr size_t kClasses = static_cast<size_t>(InsnClass::kCount);

struct Counts {
  uint64_t instructions = 0;
  uint64_t cycles = 0;  // static part; refills of taken branches are added when reporting
  uint64_t taken_branches = 0;
  uint64_t by_class[kClasses] = {};

  void add(const Counts& o) {
    instructions += o.instructions;
    cycles += o.cycles;
    taken_branches += o.taken_branches;
    for (size_t c = 0; c < kClasses; ++c) by_class[c] += o.by_class[c];
  }
  void subtract(const Counts& o) {
    instructions -= o.instructions;
    cycles -= o.cycles;
    taken_branches -= o.taken_branches;
    for (size_t c = 0; c < kClasses; ++c) by_class[c] -= o.by_class[c];
  }
};

enum class Event : uint8_t { kBegin, kEnd, kCall };

// A point inside a block where the totals must be sampled: a marker, or a call instruction inside
// the traced function (for the per-call breakdown).
struct BlockEvent {
  Event kind = Event::kCall;
  uint64_t address = 0;
  Counts before;  // counts of the block's instructions ahead of this one
};

struct BlockSummary {
  uint64_t start = 0;  // address of the first instruction
  uint64_t next = 0;   // address just past the last instruction
  Counts counts;       // the whole block
  std::vector<BlockEvent> events;
  // The first instruction is a single load/store charged in full, the last one a single
  // load/store: QEMU also ends blocks where the code does not branch (at 1 KiB boundaries, for
  // one), and there the pipelining of two neighbouring loads/stores must carry across.
  bool first_pipelines = false;
  bool last_pipelines = false;
};

struct CallSample {
  uint64_t address;
  Counts at;
};

struct State {
  uint64_t begin_address = 0, end_address = 0;
  bool have_begin = false, have_end = false;
  uint64_t calls_from = 0, calls_to = 0;  // [from, to): calls made here are sampled
  std::string out_path;

  std::mutex lock;  // guards `blocks` (translation may run on several threads)
  std::vector<std::unique_ptr<BlockSummary>> blocks;

  // Execution state: one vCPU, callbacks run in guest order.
  Counts total;
  uint64_t previous_next = ~uint64_t{0};
  bool previous_last_pipelines = false;
  Counts at_begin;
  bool inside = false;
  Counts region;
  uint64_t regions = 0;
  uint64_t unmatched_ends = 0;
  std::vector<CallSample> calls;  // samples of the first region only
  Counts first_region_end;
  bool first_region_done = false;
};

State* g_state = nullptr;

void print_counts(FILE* f, const Counts& c) {
  std::fprintf(f, " %llu %llu", static_cast<unsigned long long>(c.instructions),
               static_cast<unsigned long long>(c.cycles + c.taken_branches *
                                                              kiln::profile::kBranchRefillCycles));
}

void write_report() {
  State& s = *g_state;
  FILE* f = std::fopen(s.out_path.c_str(), "w");
  if (!f) {
    qemu_plugin_outs("kiln_count: cannot write the report file\n");
    return;
  }
  const Counts& r = s.region;
  std::fprintf(f, "regions %llu\n", static_cast<unsigned long long>(s.regions));
  std::fprintf(f, "open_region %d\n", s.inside ? 1 : 0);
  std::fprintf(f, "unmatched_ends %llu\n", static_cast<unsigned long long>(s.unmatched_ends));
  std::fprintf(f, "instructions %llu\n", static_cast<unsigned long long>(r.instructions));
  std::fprintf(f, "cycles %llu\n",
               static_cast<unsigned long long>(r.cycles + r.taken_branches *
                                                              kiln::profile::kBranchRefillCycles));
  std::fprintf(f, "taken_branches %llu\n", static_cast<unsigned long long>(r.taken_branches));
  for (size_t c = 0; c < kClasses; ++c)
    std::fprintf(f, "class %s %llu\n", kiln::profile::insn_class_name(static_cast<InsnClass>(c)),
                 static_cast<unsigned long long>(r.by_class[c]));
  std::fprintf(f, "total_instructions %llu\n",
               static_cast<unsigned long long>(s.total.instructions));
  // Per call of the first region: from the call instruction up to the next sampled call (or the
  // end marker): "call ADDRESS INSTRUCTIONS CYCLES".
  if (s.first_region_done) {
    for (size_t i = 0; i < s.calls.size(); ++i) {
      Counts segment = i + 1 < s.calls.size() ? s.calls[i + 1].at : s.first_region_end;
      segment.subtract(s.calls[i].at);
      std::fprintf(f, "call 0x%llx", static_cast<unsigned long long>(s.calls[i].address));
      print_counts(f, segment);
      std::fprintf(f, "\n");
    }
  }
  std::fclose(f);
}

void on_event(const BlockEvent& e, const Counts& totals_before_block) {
  State& s = *g_state;
  Counts at = totals_before_block;
  at.add(e.before);
  switch (e.kind) {
    case Event::kBegin:
      s.at_begin = at;
      s.inside = true;
      break;
    case Event::kEnd:
      if (!s.inside) {
        ++s.unmatched_ends;
        break;
      }
      if (!s.first_region_done) {
        s.first_region_end = at;
        s.first_region_done = true;
      }
      at.subtract(s.at_begin);
      s.region.add(at);
      ++s.regions;
      s.inside = false;
      write_report();
      break;
    case Event::kCall:
      if (s.inside && !s.first_region_done) s.calls.push_back({e.address, at});
      break;
  }
}

void on_block_exec(unsigned int /*vcpu*/, void* userdata) {
  State& s = *g_state;
  const BlockSummary& b = *static_cast<const BlockSummary*>(userdata);
  const bool fall_through = b.start == s.previous_next;
  if (!fall_through) ++s.total.taken_branches;
  s.previous_next = b.next;
  // A load/store right after one that ended the previous block (no branch between) pipelines
  // with it: its first cycle, charged by the block's static count, is taken back.
  const bool joined = fall_through && s.previous_last_pipelines && b.first_pipelines;
  s.previous_last_pipelines = b.last_pipelines;
  // Events see the totals before this block including the branch that entered it: that branch
  // belongs to the instructions ahead of the block's first instruction.
  for (const BlockEvent& e : b.events) {
    Counts before = s.total;
    if (joined && e.before.instructions > 0) before.cycles -= 1;
    on_event(e, before);
  }
  s.total.add(b.counts);
  if (joined) s.total.cycles -= 1;
}

// BL (32-bit) or BLX register (16-bit): the instructions that make a call.
bool is_call(uint16_t first, uint16_t second) {
  if (kiln::profile::is_thumb32(first))
    return (first & 0xF800) == 0xF000 && (second & 0xD000) == 0xD000;
  return (first & 0xFF87) == 0x4780;
}

void on_translate(qemu_plugin_id_t /*id*/, struct qemu_plugin_tb* tb) {
  State& s = *g_state;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  auto summary = std::make_unique<BlockSummary>();
  std::vector<InsnTiming> timings(n);
  std::vector<uint64_t> addresses(n);
  std::vector<bool> calls(n);
  for (size_t i = 0; i < n; ++i) {
    const struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    const auto* bytes = static_cast<const uint8_t*>(qemu_plugin_insn_data(insn));
    const uint16_t first = static_cast<uint16_t>(bytes[0] | (bytes[1] << 8));
    // The size comes from the encoding: when QEMU ends a block before a 32-bit instruction that
    // crosses a page, it reports the half it read of that one as part of the last instruction
    // (6 bytes), which would make the next block look like a branch target.
    const size_t size = kiln::profile::is_thumb32(first) ? 4 : 2;
    const uint16_t second = size == 4 ? static_cast<uint16_t>(bytes[2] | (bytes[3] << 8)) : 0;
    timings[i] = kiln::profile::classify_thumb(first, second);
    calls[i] = is_call(first, second);
    addresses[i] = qemu_plugin_insn_vaddr(insn);
    if (i == 0) summary->start = addresses[i];
    summary->next = addresses[i] + size;
  }
  std::vector<uint32_t> cycles(n);
  kiln::profile::straight_line_cycles(timings.data(), n, cycles.data());
  if (n > 0) {
    summary->first_pipelines = timings[0].pipelines && cycles[0] > 1;
    summary->last_pipelines = timings[n - 1].pipelines;
  }

  for (size_t i = 0; i < n; ++i) {
    const uint64_t a = addresses[i];
    auto sample = [&](Event kind) { summary->events.push_back({kind, a, summary->counts}); };
    if (s.have_begin && a == s.begin_address) sample(Event::kBegin);
    if (s.have_end && a == s.end_address) sample(Event::kEnd);
    if (calls[i] && a >= s.calls_from && a < s.calls_to) sample(Event::kCall);
    Counts& c = summary->counts;
    ++c.instructions;
    c.cycles += cycles[i];
    ++c.by_class[static_cast<size_t>(timings[i].cls)];
  }

  BlockSummary* raw = summary.get();
  {
    std::lock_guard<std::mutex> guard(s.lock);
    s.blocks.push_back(std::move(summary));
  }
  qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block_exec, QEMU_PLUGIN_CB_NO_REGS, raw);
}

void on_exit(qemu_plugin_id_t /*id*/, void* /*userdata*/) {
  write_report();
  delete g_state;
  g_state = nullptr;
}

bool parse_address(const char* text, uint64_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 0);
  if (end == text || *end != '\0') return false;
  *out = v & ~uint64_t{1};  // a Thumb function symbol has bit 0 set
  return true;
}

}  // namespace

extern "C" int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* /*info*/, int argc,
                                   char** argv) {
  g_state = new State();
  State& s = *g_state;
  for (int i = 0; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strncmp(arg, "begin=", 6) == 0) {
      s.have_begin = parse_address(arg + 6, &s.begin_address);
      if (!s.have_begin) qemu_plugin_outs("kiln_count: bad begin= address\n");
    } else if (std::strncmp(arg, "end=", 4) == 0) {
      s.have_end = parse_address(arg + 4, &s.end_address);
      if (!s.have_end) qemu_plugin_outs("kiln_count: bad end= address\n");
    } else if (std::strncmp(arg, "calls_from=", 11) == 0) {
      if (!parse_address(arg + 11, &s.calls_from))
        qemu_plugin_outs("kiln_count: bad calls_from=\n");
    } else if (std::strncmp(arg, "calls_to=", 9) == 0) {
      if (!parse_address(arg + 9, &s.calls_to)) qemu_plugin_outs("kiln_count: bad calls_to=\n");
    } else if (std::strncmp(arg, "out=", 4) == 0) {
      s.out_path = arg + 4;
    } else {
      qemu_plugin_outs(
          "kiln_count: unknown argument (expected begin=, end=, out=, calls_from=, calls_to=)\n");
      return 1;
    }
  }
  if (!s.have_begin || !s.have_end || s.out_path.empty()) {
    qemu_plugin_outs("kiln_count: needs begin=ADDR,end=ADDR,out=FILE\n");
    return 1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
  return 0;
}
