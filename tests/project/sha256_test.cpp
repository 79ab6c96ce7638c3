// SHA-256 against the FIPS 180-4 / NIST example vectors.
#include "project/sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kiln::project {
namespace {

std::string hash_of(const std::string& text) {
  return sha256_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

TEST(Sha256, NistVectors) {
  EXPECT_EQ(hash_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hash_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits in the first padded block.
  EXPECT_EQ(hash_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hash_of(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, BlockBoundaries) {
  // Different lengths around 55/56/64 bytes all give distinct 64-hex-digit digests.
  std::vector<std::string> seen;
  for (size_t n : {54, 55, 56, 57, 63, 64, 65}) {
    const std::string h = hash_of(std::string(n, 'x'));
    EXPECT_EQ(h.size(), 64u);
    for (const std::string& other : seen) EXPECT_NE(h, other);
    seen.push_back(h);
  }
}

}  // namespace
}  // namespace kiln::project

namespace kiln::project {
namespace {

std::string hmac_hex(const std::string& key, const std::string& message) {
  return to_hex(
      hmac_sha256(std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
                  std::span(reinterpret_cast<const uint8_t*>(message.data()), message.size())));
}

TEST(HmacSha256, Rfc4231Vectors) {
  // Test case 1: 20 bytes of 0x0b.
  EXPECT_EQ(hmac_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a short key.
  EXPECT_EQ(hmac_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key, hashed before use.
  EXPECT_EQ(
      hmac_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace
}  // namespace kiln::project
