// crc32c.h: CRC-32C (Castagnoli, the polynomial of iSCSI, ext4 metadata and
// SSE 4.2's crc32 instruction), used where the queue must recognise data a
// crash may have torn.
//
//   uint32_t c = Crc32c(0, "123456789");   // 0xe3069283
//   c = Crc32c(Crc32c(0, a), b);           // == Crc32c(0, a + b)
//
// The instruction is used when the CPU has it (about 10 GB/s here), a
// table otherwise.
#ifndef YUBIN_LIB_BASE_CRC32C_H_
#define YUBIN_LIB_BASE_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace yubin {

// The CRC of data appended to what crc (a previous result, or 0) covers.
uint32_t Crc32c(uint32_t crc, std::string_view data);

// The same, always with the table (for tests against the instruction).
uint32_t Crc32cPortable(uint32_t crc, std::string_view data);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_CRC32C_H_
