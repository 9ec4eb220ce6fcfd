// tcpto.h: the memory of hosts whose connect recently timed out (qmail's
// tcpto), so that a dead mail exchanger costs timeoutconnect once, not once
// per message.
//
//   TcptoTable t(LockDir(QueueDir(root)) + "/tcpto");   // "" disables it
//   if (t.ShouldSkip(ip, time(nullptr))) continue;       // try the next MX
//   ... connect timed out:  t.RecordTimeout(ip, time(nullptr));
//   ... connected:          t.RecordSuccess(ip);
//
// The file holds kTcptoEntries fixed records of kTcptoRecordBytes (see
// PackTcptoEntry), rewritten in place under an exclusive flock(2), so
// concurrent yubin-remote processes share it. After the n-th timeout in a
// row an address is skipped for min(kTcptoMaxSkipSeconds,
// kTcptoBaseSkipSeconds * 2^(n-1)) seconds; a successful connect forgets
// it. When the table is full the oldest entry is replaced. The table is a
// cache: if it cannot be opened, or a record is damaged, the host is simply
// tried; nothing fails because of it.
#ifndef YUBIN_LIB_REMOTE_TCPTO_H_
#define YUBIN_LIB_REMOTE_TCPTO_H_

#include <cstdint>
#include <ctime>
#include <string>

#include "lib/dns/resolver.h"

namespace yubin::remote {

inline constexpr size_t kTcptoEntries = 64;
inline constexpr size_t kTcptoRecordBytes = 32;
inline constexpr int64_t kTcptoBaseSkipSeconds = 120;
inline constexpr int64_t kTcptoMaxSkipSeconds = 3600;

// One record: byte 0 family (0 empty, 4, 6), byte 1 timeouts in a row
// (saturating at 255), bytes 2-7 zero, bytes 8-15 the last timeout in Unix
// seconds (big-endian), bytes 16-31 the address (IPv4 in the first 4).
struct TcptoEntry {
  uint8_t family = 0;
  uint8_t timeouts = 0;
  int64_t last_timeout = 0;
  uint8_t address[16] = {};
};

void PackTcptoEntry(const TcptoEntry& e, unsigned char out[kTcptoRecordBytes]);
// False when the record is not a valid one (it then counts as empty).
bool UnpackTcptoEntry(const unsigned char in[kTcptoRecordBytes],
                      TcptoEntry* e);
// The address as a record key; false for text that is not an address.
bool TcptoKey(const dns::IpAddress& ip, TcptoEntry* e);
// Seconds an address with this many timeouts in a row is skipped.
int64_t TcptoSkipSeconds(int timeouts);

class TcptoTable {
 public:
  explicit TcptoTable(std::string path) : path_(std::move(path)) {}
  bool ShouldSkip(const dns::IpAddress& ip, time_t now) const;
  void RecordTimeout(const dns::IpAddress& ip, time_t now);
  void RecordSuccess(const dns::IpAddress& ip);

 private:
  std::string path_;
};

}  // namespace yubin::remote

#endif  // YUBIN_LIB_REMOTE_TCPTO_H_
