#include "lib/remote/tcpto.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>

#include "lib/base/fd.h"

namespace yubin::remote {
namespace {

constexpr size_t kTableBytes = kTcptoEntries * kTcptoRecordBytes;

bool SameAddress(const TcptoEntry& a, const TcptoEntry& b) {
  return a.family == b.family &&
         std::memcmp(a.address, b.address, sizeof a.address) == 0;
}

// The whole table, locked; entries that do not unpack read as empty.
class LockedTable {
 public:
  LockedTable(const std::string& path, bool write) {
    if (path.empty()) return;
    fd_.reset(OpenRetry(path.c_str(),
                        (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC,
                        0600));
    if (!fd_.valid()) return;
    int rc;
    do {
      rc = flock(fd_.get(), write ? LOCK_EX : LOCK_SH);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      fd_.reset();
      return;
    }
    unsigned char buf[kTableBytes] = {};
    ssize_t n;
    do {
      n = pread(fd_.get(), buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    for (size_t i = 0; i < kTcptoEntries; ++i) {
      if (n < static_cast<ssize_t>((i + 1) * kTcptoRecordBytes) ||
          !UnpackTcptoEntry(buf + i * kTcptoRecordBytes, &entries_[i])) {
        entries_[i] = TcptoEntry();
      }
    }
  }
  bool valid() const { return fd_.valid(); }
  TcptoEntry* Find(const TcptoEntry& key) {
    for (TcptoEntry& e : entries_) {
      if (e.family != 0 && SameAddress(e, key)) return &e;
    }
    return nullptr;
  }
  TcptoEntry* FreeOrOldest() {
    TcptoEntry* oldest = &entries_[0];
    for (TcptoEntry& e : entries_) {
      if (e.family == 0) return &e;
      if (e.last_timeout < oldest->last_timeout) oldest = &e;
    }
    return oldest;
  }
  void Save() {
    unsigned char buf[kTableBytes];
    for (size_t i = 0; i < kTcptoEntries; ++i) {
      PackTcptoEntry(entries_[i], buf + i * kTcptoRecordBytes);
    }
    ssize_t n;
    do {
      n = pwrite(fd_.get(), buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    // A short or failed write only loses memory; the next reader treats
    // damaged records as empty.
  }

 private:
  UniqueFd fd_;  // closing it releases the lock
  TcptoEntry entries_[kTcptoEntries];
};

void PutBig64(unsigned char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t GetBig64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

void PackTcptoEntry(const TcptoEntry& e, unsigned char out[kTcptoRecordBytes]) {
  std::memset(out, 0, kTcptoRecordBytes);
  out[0] = e.family;
  out[1] = e.timeouts;
  PutBig64(out + 8, static_cast<uint64_t>(e.last_timeout));
  std::memcpy(out + 16, e.address, 16);
}

bool UnpackTcptoEntry(const unsigned char in[kTcptoRecordBytes],
                      TcptoEntry* e) {
  if (in[0] != 0 && in[0] != 4 && in[0] != 6) return false;
  for (int i = 2; i < 8; ++i) {
    if (in[i] != 0) return false;
  }
  e->family = in[0];
  e->timeouts = in[1];
  e->last_timeout = static_cast<int64_t>(GetBig64(in + 8));
  std::memcpy(e->address, in + 16, 16);
  if (e->family == 4) {
    for (int i = 4; i < 16; ++i) {
      if (e->address[i] != 0) return false;
    }
  }
  return true;
}

bool TcptoKey(const dns::IpAddress& ip, TcptoEntry* e) {
  *e = TcptoEntry();
  e->family = ip.ipv6 ? 6 : 4;
  return inet_pton(ip.ipv6 ? AF_INET6 : AF_INET, ip.text.c_str(),
                   e->address) == 1;
}

int64_t TcptoSkipSeconds(int timeouts) {
  if (timeouts <= 0) return 0;
  int64_t s = kTcptoBaseSkipSeconds;
  for (int i = 1; i < timeouts && s < kTcptoMaxSkipSeconds; ++i) s *= 2;
  return s < kTcptoMaxSkipSeconds ? s : kTcptoMaxSkipSeconds;
}

bool TcptoTable::ShouldSkip(const dns::IpAddress& ip, time_t now) const {
  TcptoEntry key;
  if (!TcptoKey(ip, &key)) return false;
  LockedTable table(path_, false);
  if (!table.valid()) return false;
  const TcptoEntry* e = table.Find(key);
  if (e == nullptr) return false;
  int64_t since = static_cast<int64_t>(now) - e->last_timeout;
  // A clock that went backwards does not make a host unreachable forever.
  return since >= 0 && since < TcptoSkipSeconds(e->timeouts);
}

void TcptoTable::RecordTimeout(const dns::IpAddress& ip, time_t now) {
  TcptoEntry key;
  if (!TcptoKey(ip, &key)) return;
  LockedTable table(path_, true);
  if (!table.valid()) return;
  TcptoEntry* e = table.Find(key);
  if (e == nullptr) {
    e = table.FreeOrOldest();
    *e = key;
  }
  if (e->timeouts < 255) ++e->timeouts;
  e->last_timeout = static_cast<int64_t>(now);
  table.Save();
}

void TcptoTable::RecordSuccess(const dns::IpAddress& ip) {
  TcptoEntry key;
  if (!TcptoKey(ip, &key)) return;
  LockedTable table(path_, true);
  if (!table.valid()) return;
  TcptoEntry* e = table.Find(key);
  if (e == nullptr) return;
  *e = TcptoEntry();
  table.Save();
}

}  // namespace yubin::remote
