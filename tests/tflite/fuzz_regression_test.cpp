// Regression inputs found by fuzzing the reader (tools/fuzz.sh), kept as byte patches of a
// shared golden model so no third-party bytes are copied into the repository.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "core/error.h"
#include "golden_data.h"
#include "tflite/reader.h"

namespace kiln {
namespace {

// A quantization zero_point vector (int64) at an address that is not 8-byte aligned: the
// flatbuffers verifier accepts it, so the reader must not load it as int64 directly (UBSan
// reports the misaligned load in the sanitizer build).
TEST(FuzzRegressionTest, MisalignedZeroPointVector) {
  const auto path = testing::golden_root() / "tflm_hello_world_int8" / "model.tflite";
  std::vector<uint8_t> bytes = testing::read_bytes(path);
  if (bytes.size() != 2704) GTEST_SKIP() << "hello_world golden model not found at " << path;
  const std::vector<std::pair<size_t, uint8_t>> patch = {
      {1635, 0xc2}, {1636, 0x79}, {1637, 0x1a}, {1638, 0x00}, {1639, 0xe0}, {1640, 0x61},
      {1641, 0x00}, {1642, 0x00}, {1720, 0x00}, {1721, 0x00}, {1722, 0x00}, {1723, 0x00},
      {1724, 0x00}, {1728, 0x00}, {1732, 0x00}, {1736, 0x00}, {1737, 0x00}, {1738, 0x00},
      {1739, 0x00}, {1740, 0x00}, {1741, 0x00}, {1742, 0x00}, {1743, 0x00}, {1744, 0x00},
      {1748, 0x00}, {1749, 0x00}, {1750, 0x00}, {1751, 0x00}, {1752, 0x00}, {1756, 0x00},
      {1757, 0x00}, {1758, 0x00}, {1759, 0x00}, {1760, 0x00}, {1761, 0x00}, {1762, 0x00},
      {1763, 0x00}, {1764, 0x00}, {1765, 0x00}, {1766, 0x00}, {1767, 0x00}, {1768, 0x00},
      {1769, 0x00}, {1770, 0x00}, {1771, 0x00}, {1772, 0x00}, {1773, 0x00}, {1774, 0x00},
      {1775, 0x00}, {1776, 0x00}, {1777, 0x00}, {1778, 0x00}, {1779, 0x00}, {1780, 0x00},
      {1781, 0x00}, {1782, 0x00}, {1783, 0x00}, {1784, 0x00}, {1785, 0x00}, {1786, 0x00},
      {1787, 0x00}, {1788, 0x00}, {1789, 0x00}, {1790, 0x00}, {1791, 0x00}, {1792, 0x00},
      {1793, 0x00}, {1794, 0x00}, {1795, 0x00}, {1796, 0x00}, {1797, 0x00}, {1798, 0x00},
      {1799, 0x00}, {1800, 0x00}, {1801, 0x00}, {1802, 0x00}, {1803, 0x00}, {1804, 0x00},
      {1805, 0x00}, {1806, 0x00}, {1807, 0x00}, {1808, 0x00}, {1809, 0x00}, {1810, 0x00},
      {1811, 0x00}, {1812, 0x00}, {1813, 0x00}, {1814, 0x00}, {1815, 0x00}, {1816, 0x00},
      {1817, 0x00}, {1818, 0x00}, {1819, 0x00}, {1820, 0x00}, {1821, 0x00}, {1822, 0x00},
      {1823, 0x00}, {1824, 0x00}, {1825, 0x00}, {2582, 0x04}};
  for (const auto& [offset, value] : patch) bytes[offset] = value;
  try {
    (void)tflite::read_model(bytes);
  } catch (const Error&) {
    // Rejecting the mangled model is fine; crashing or undefined behaviour is not.
  }
}

}  // namespace
}  // namespace kiln
