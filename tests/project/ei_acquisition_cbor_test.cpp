// Edge Impulse acquisition files in CBOR form: decoding, HMAC verification over the file's bytes,
// agreement with the JSON form, malformed input and import as Kiln CSV.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/csv_reader.h"
#include "project/ei_acquisition.h"
#include "project/importer.h"
#include "project/sample_index.h"
#include "project/sha256.h"
#include "project_test_util.h"

namespace kiln::project {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ScratchDir;

const std::string kZeros(64, '0');

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

json acquisition_doc(const std::string& alg, const std::string& signature) {
  return json{
      {"protected", {{"ver", "v1"}, {"alg", alg}, {"iat", 1564128599}}},
      {"signature", signature},
      {"payload",
       {{"device_name", "ac:87"},
        {"device_type", "TEST"},
        {"interval_ms", 10},
        {"sensors", {{{"name", "accX"}, {"units", "m/s2"}}, {{"name", "accY"}, {"units", "m/s2"}}}},
        {"values", {{1.5, -2}, {3, 4.25}, {-0.5, 0}}}}}};
}

// Signs as the SDK does: encode with a placeholder of 64 '0', HMAC those bytes, then put the hex
// digest in place of the placeholder (same length, so no other byte moves).
std::vector<uint8_t> signed_cbor(const std::string& key) {
  const std::vector<uint8_t> placeholder = json::to_cbor(acquisition_doc("HS256", kZeros));
  const std::string signature = to_hex(hmac_sha256(bytes_of(key), placeholder));
  const std::vector<uint8_t> signed_bytes = json::to_cbor(acquisition_doc("HS256", signature));
  EXPECT_EQ(signed_bytes.size(), placeholder.size());
  return signed_bytes;
}

TEST(EiAcquisitionCbor, DecodesLikeTheJsonForm) {
  const json doc = acquisition_doc("none", kZeros);
  const AcquisitionSample from_cbor =
      parse_ei_acquisition_cbor(json::to_cbor(doc), "a.cbor", std::nullopt);
  const AcquisitionSample from_json =
      parse_ei_acquisition_json(doc.dump(2), "a.json", std::nullopt);
  EXPECT_EQ(from_cbor.device_name, "ac:87");
  EXPECT_EQ(from_cbor.device_type, "TEST");
  EXPECT_DOUBLE_EQ(from_cbor.signal.sampling_frequency_hz, 100.0);  // 1000 / 10 ms
  EXPECT_EQ(from_cbor.signal.axes, 2);
  EXPECT_EQ(from_cbor.signal.axis_names, (std::vector<std::string>{"accX", "accY"}));
  EXPECT_EQ(from_cbor.signal.samples, (std::vector<float>{1.5f, -2, 3, 4.25f, -0.5f, 0}));
  EXPECT_EQ(from_cbor.signal.samples, from_json.signal.samples);
  EXPECT_EQ(from_cbor.signal.axis_names, from_json.signal.axis_names);
  EXPECT_EQ(signal_to_csv(from_cbor.signal), signal_to_csv(from_json.signal));
}

TEST(EiAcquisitionCbor, VerifiesHmacWhenKeyGiven) {
  const std::vector<uint8_t> bytes = signed_cbor("secret");
  EXPECT_TRUE(parse_ei_acquisition_cbor(bytes, "a.cbor", "secret").signature_verified);
  EXPECT_FALSE(parse_ei_acquisition_cbor(bytes, "a.cbor", std::nullopt).signature_verified);
  EXPECT_THROW(parse_ei_acquisition_cbor(bytes, "a.cbor", "wrong"), Error);

  // 4.25 is a float64 in nlohmann's encoding: flip its last mantissa bit, the file stays valid
  // CBOR but no longer matches its signature.
  std::vector<uint8_t> tampered = bytes;
  const std::vector<uint8_t> value = json::to_cbor(json(4.25));
  const auto at = std::search(tampered.begin(), tampered.end(), value.begin(), value.end());
  ASSERT_NE(at, tampered.end());
  *(at + static_cast<std::ptrdiff_t>(value.size()) - 1) ^= 1;
  EXPECT_NO_THROW(parse_ei_acquisition_cbor(tampered, "a.cbor", std::nullopt));
  try {
    parse_ei_acquisition_cbor(tampered, "a.cbor", "secret");
    ADD_FAILURE() << "tampered file accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "a.cbor: HMAC signature does not match");
  }
  EXPECT_THROW(
      parse_ei_acquisition_cbor(json::to_cbor(acquisition_doc("none", kZeros)), "a.cbor", "secret"),
      Error);
}

// A file laid out as Edge Impulse's C SDK writes it, byte by byte: definite-length maps, the
// "values" array of indefinite length (0x9f ... 0xff), samples as float32 and float16. The HMAC
// must cover exactly these bytes; re-encoding the decoded document would give other bytes.
TEST(EiAcquisitionCbor, AcceptsSdkStyleEncodingAndSignature) {
  std::string file;
  auto text = [&file](const std::string& s) {
    ASSERT_LT(s.size(), 24u);
    file.push_back(static_cast<char>(0x60 + s.size()));
    file += s;
  };
  auto raw = [&file](std::initializer_list<int> bytes) {
    for (int b : bytes) file.push_back(static_cast<char>(b));
  };
  raw({0xa3});  // map of 3
  text("protected");
  raw({0xa2});
  text("ver");
  text("v1");
  text("alg");
  text("HS256");
  text("signature");
  raw({0x78, 0x40});  // text of 64 characters
  const size_t signature_at = file.size();
  file += kZeros;
  text("payload");
  raw({0xa4});
  text("device_type");
  text("SDK");
  text("interval_ms");
  raw({0xfb, 0x40, 0x24, 0, 0, 0, 0, 0, 0});  // float64 10.0
  text("sensors");
  raw({0x81, 0xa2});
  text("name");
  text("accX");
  text("units");
  text("m/s2");
  text("values");
  raw({0x9f});                                // indefinite-length array
  raw({0x81, 0xfa, 0x3f, 0xc0, 0x00, 0x00});  // [float32 1.5]
  raw({0x81, 0xfa, 0xc0, 0x10, 0x00, 0x00});  // [float32 -2.25]
  raw({0x81, 0xf9, 0x38, 0x00});              // [float16 0.5]
  raw({0xff});

  const std::string signature = to_hex(hmac_sha256(bytes_of("k"), bytes_of(file)));
  file.replace(signature_at, 64, signature);
  const AcquisitionSample s = parse_ei_acquisition_cbor(bytes_of(file), "sdk.cbor", "k");
  EXPECT_TRUE(s.signature_verified);
  EXPECT_EQ(s.device_type, "SDK");
  EXPECT_EQ(s.signal.axes, 1);
  EXPECT_DOUBLE_EQ(s.signal.sampling_frequency_hz, 100.0);
  EXPECT_EQ(s.signal.samples, (std::vector<float>{1.5f, -2.25f, 0.5f}));
  EXPECT_THROW(parse_ei_acquisition_cbor(bytes_of(file), "sdk.cbor", "K"), Error);
}

TEST(EiAcquisitionCbor, RejectsMalformedFilesWithOneLine) {
  const std::vector<uint8_t> good = json::to_cbor(acquisition_doc("none", kZeros));
  std::vector<std::vector<uint8_t>> bad = {
      {},
      std::vector<uint8_t>(good.begin(), good.end() - 1),  // truncated
      json::to_cbor(json::array({1, 2})),                  // not a map
      json::to_cbor(json{{"payload", json::object()}}),
      {0xc1, 0x00},  // a tag (epoch time 0)
      {0xff},        // a lone break
  };
  std::vector<uint8_t> trailing = good;
  trailing.push_back(0x00);
  bad.push_back(trailing);
  json bad_name = acquisition_doc("none", kZeros);
  bad_name["payload"]["sensors"][0]["name"] = "acc,X";
  bad.push_back(json::to_cbor(bad_name));
  json bad_interval = acquisition_doc("none", kZeros);
  bad_interval["payload"]["interval_ms"] = 1e-320;  // subnormal: 1000 / it overflows
  bad.push_back(json::to_cbor(bad_interval));
  for (const std::vector<uint8_t>& bytes : bad) {
    try {
      parse_ei_acquisition_cbor(bytes, "bad.cbor", std::nullopt);
      ADD_FAILURE() << "accepted " << bytes.size() << " bytes";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind("bad.cbor: ", 0), 0u) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

// nlohmann's CBOR reader recurses once per nesting level: a long run of 0x81 (array of one)
// would exhaust the stack unless refused first.
TEST(EiAcquisitionCbor, RefusesDeepNestingWithoutRecursing) {
  std::vector<uint8_t> deep(1'000'000, 0x81);
  deep.push_back(0x00);
  try {
    parse_ei_acquisition_cbor(deep, "deep.cbor", std::nullopt);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "deep.cbor: invalid CBOR (nested deeper than 64 levels)");
  }
  // Exactly the limit is fine as far as nesting goes (then fails for not being a map).
  std::vector<uint8_t> at_limit(kMaxAcquisitionCborDepth, 0x81);
  at_limit.push_back(0x00);
  try {
    parse_ei_acquisition_cbor(at_limit, "limit.cbor", std::nullopt);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no payload"), std::string::npos) << e.what();
  }
}

TEST(EiAcquisitionCbor, ImportStoresKilnCsv) {
  ScratchDir scratch("acquisition_cbor");
  const fs::path root = scratch.path() / "proj";
  init_project(root, ProjectConfig{});
  fs::create_directories(scratch.path() / "src" / "wave");
  const std::vector<uint8_t> bytes = signed_cbor("k");
  std::ofstream(scratch.path() / "src" / "wave" / "w1.cbor", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  Project project = open_project(root);
  ImportOptions options;
  options.inputs = {scratch.path() / "src"};
  options.hmac_key = "wrong";
  EXPECT_THROW(import_samples(project, options), Error);
  options.hmac_key = "k";
  EXPECT_EQ(import_samples(project, options).imported, 1u);
  const std::vector<SampleRecord> samples = list_samples(*project.db);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].label, "wave");
  EXPECT_EQ(samples[0].sensor, "timeseries");
  EXPECT_EQ(samples[0].sample_rate_hz, 100);
  EXPECT_EQ(samples[0].axes, 2);
  EXPECT_EQ(samples[0].length, 3);
  EXPECT_EQ(samples[0].axis_names, "accX,accY");
  EXPECT_EQ(fs::path(samples[0].path).extension(), ".csv");
  EXPECT_EQ(fs::path(samples[0].source).extension(), ".cbor");
  const data::Signal stored = data::read_csv(root / samples[0].path);
  EXPECT_EQ(stored.samples, (std::vector<float>{1.5f, -2, 3, 4.25f, -0.5f, 0}));
}

}  // namespace
}  // namespace kiln::project
