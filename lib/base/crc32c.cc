#include "lib/base/crc32c.h"

#include <array>
#include <cstring>

namespace yubin {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78;  // reflected 0x1edc6f41

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t TableUpdate(uint32_t c, std::string_view data) {
  for (unsigned char byte : data) c = kTable[(c ^ byte) & 0xff] ^ (c >> 8);
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t InstructionUpdate(uint32_t c, std::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c64 = __builtin_ia32_crc32di(c64, word);
    p += 8;
    n -= 8;
  }
  c = static_cast<uint32_t>(c64);
  while (n > 0) {
    c = __builtin_ia32_crc32qi(c, static_cast<unsigned char>(*p));
    ++p;
    --n;
  }
  return c;
}

bool HaveInstruction() {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}
#endif

}  // namespace

uint32_t Crc32cPortable(uint32_t crc, std::string_view data) {
  return ~TableUpdate(~crc, data);
}

uint32_t Crc32c(uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (HaveInstruction()) return ~InstructionUpdate(~crc, data);
#endif
  return Crc32cPortable(crc, data);
}

}  // namespace yubin
