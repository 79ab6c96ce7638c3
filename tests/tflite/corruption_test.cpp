// Damaged files: truncations at many lengths and random byte changes. The reader must either
// throw kiln::Error or return a model that passed validation; it must never crash (the ASan/UBSan
// build and the fuzzer check the "never" part more thoroughly).
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "golden_data.h"
#include "tflite/raw_tflite.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace kiln::tflite {
namespace {

namespace kt = kiln::testing;

// A small valid model with constants, quantization and options, built without Kiln's writer.
std::vector<uint8_t> small_model() {
  kt::RawModel m;
  m.codes = {{kt::tfl::kFullyConnected, kt::tfl::kFullyConnected, 1, ""},
             {kt::tfl::kSoftmax, kt::tfl::kSoftmax, 1, ""}};
  m.buffers = {{}, {{1, 2, 3, 4, 5, 6}}};
  const int8_t int8 = kt::tfl::kInt8;
  m.tensors = {kt::raw_tensor({1, 2}, int8, 0, "in", {0.5f}, {0}),
               kt::raw_tensor({3, 2}, int8, 1, "w", {0.1f}, {0}),
               kt::raw_tensor({1, 3}, int8, 0, "fc", {0.2f}, {1}),
               kt::raw_tensor({1, 3}, int8, 0, "out", {1.0f / 256}, {-128})};
  const kt::RawOperator fc = kt::raw_operator(0, {0, 1, -1}, {2});
  kt::RawOperator softmax = kt::raw_operator(1, {2}, {3});
  softmax.options_type = kt::tfl::kOptionsSoftmax;
  softmax.options = [](flatbuffers::FlatBufferBuilder& b) {
    const auto start = b.StartTable();
    b.AddElement<float>(kt::slot(0), 1.0f, 0.0f);
    return b.EndTable(start);
  };
  m.operators = {fc, softmax};
  m.inputs = {0};
  m.outputs = {3};
  return kt::encode(m);
}

// Reads `bytes`; returns the model, or nullopt after a kiln::Error. Anything else fails the test.
std::optional<ir::Model> try_read(std::span<const uint8_t> bytes) {
  try {
    return read_model(bytes);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Whatever the reader accepts, the writer must write, and reading that back must be stable.
void expect_writable(const ir::Model& m) {
  const std::vector<uint8_t> written = write_model(m);
  EXPECT_EQ(write_model(read_model(written)), written);
}

void check_truncations(const std::vector<uint8_t>& bytes) {
  const ir::Model full = read_model(bytes);
  std::vector<size_t> lengths;
  for (size_t n = 0; n < std::min<size_t>(bytes.size(), 256); ++n) lengths.push_back(n);
  for (size_t n = 1; n <= std::min<size_t>(bytes.size(), 64); ++n)
    lengths.push_back(bytes.size() - n);
  for (size_t step = 1; step <= 200; ++step) lengths.push_back(bytes.size() * step / 201);
  for (size_t n : lengths) {
    const std::optional<ir::Model> m = try_read(std::span<const uint8_t>(bytes).first(n));
    // Cutting only unreferenced trailing padding may leave a valid file; it must then read
    // as the same model.
    if (m) {
      EXPECT_EQ(*m, full) << "truncated to " << n << " of " << bytes.size() << " bytes";
    }
  }
}

TEST(TfliteCorruption, TruncatedHandBuiltModel) {
  const std::vector<uint8_t> bytes = small_model();
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::optional<ir::Model> m = try_read(std::span<const uint8_t>(bytes).first(n));
    if (m) {
      EXPECT_EQ(*m, read_model(bytes)) << "truncated to " << n;
    }
  }
}

TEST(TfliteCorruption, TruncatedGoldenModels) {
  const auto models = kt::golden_models();
  if (models.empty()) GTEST_SKIP() << "no golden models under " << kt::golden_root();
  for (const std::string& name : models) {
    SCOPED_TRACE(name);
    check_truncations(kt::read_bytes(kt::golden_root() / name / "model.tflite"));
  }
}

TEST(TfliteCorruption, TruncatedWrittenModel) {
  check_truncations(write_model(read_model(small_model())));
}

void check_random_changes(const std::vector<uint8_t>& original, uint32_t seed, int rounds) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> position(0, original.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255), count(1, 8);
  int accepted = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<uint8_t> bytes = original;
    const int changes = count(rng);
    for (int c = 0; c < changes; ++c) {
      // Mostly single-bit flips; sometimes a whole random byte.
      const size_t at = position(rng);
      if (byte(rng) < 192)
        bytes[at] ^= static_cast<uint8_t>(1u << (byte(rng) % 8));
      else
        bytes[at] = static_cast<uint8_t>(byte(rng));
    }
    if (const std::optional<ir::Model> m = try_read(bytes)) {
      ++accepted;
      expect_writable(*m);
    }
  }
  // Changes in constant data leave valid models; in a small file, where most bytes are
  // structure, many changes must be caught.
  EXPECT_GT(accepted, 0);
  if (original.size() < 1024) {
    EXPECT_LT(accepted, rounds / 2);
  }
}

TEST(TfliteCorruption, RandomByteChangesInHandBuiltModel) {
  check_random_changes(small_model(), 12345, 4000);
}

TEST(TfliteCorruption, RandomByteChangesInGoldenModels) {
  const auto models = kt::golden_models();
  if (models.empty()) GTEST_SKIP() << "no golden models under " << kt::golden_root();
  uint32_t seed = 1;
  for (const std::string& name : models) {
    SCOPED_TRACE(name);
    const auto bytes = kt::read_bytes(kt::golden_root() / name / "model.tflite");
    // Large files mostly get hits in weights; fewer rounds keep the test quick.
    check_random_changes(bytes, seed++, bytes.size() < 64 * 1024 ? 1500 : 300);
  }
}

TEST(TfliteCorruption, WrongIdentifier) {
  for (const char* id : {"TFL2", "tfl3", "\0\0\0\0", "FL3T"}) {
    std::vector<uint8_t> bytes = small_model();
    std::copy(id, id + 4, bytes.begin() + 4);
    try {
      read_model(bytes);
      ADD_FAILURE() << "accepted identifier " << id;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not a TFLite file"), std::string::npos) << e.what();
    }
  }
}

TEST(TfliteCorruption, GarbageAfterAValidHeader) {
  std::vector<uint8_t> bytes = small_model();
  std::mt19937 rng(7);
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(rng());
  EXPECT_THROW(read_model(bytes), Error);
  // A root offset pointing past the end.
  bytes = small_model();
  bytes[0] = bytes[1] = bytes[2] = bytes[3] = 0xff;
  EXPECT_THROW(read_model(bytes), Error);
}

}  // namespace
}  // namespace kiln::tflite
