// status_record.h: the supervise/status record, in s6's and daemontools' layouts.
//
//   ServiceStatus st;  st.pid = 1234; st.want_up = true; st.stamp = Tai64n::Now();
//   uint8_t rec[kS6StatusSize]; PackS6Status(st, rec);        // what supervise writes
//   Result<ServiceStatus> got = ReadServiceStatus("svc/smtpd"); // either layout
//
// s6 (35 bytes): stamp (TAI64N, 12), readystamp (12), pid (u64 big-endian),
// wstat (u16 big-endian), flags (bit0 paused, bit1 finishing, bit2 want up,
// bit3 ready). s6 stamps count leap seconds (skalibs' TAI: Unix + 2^62 + 10 +
// leap seconds, 37 s ahead of Unix time since 2017).
// daemontools (18 bytes): stamp (TAI64N, 12, Unix + 2^62 + 10), pid (u32
// little-endian), paused (1), want ('u', 'd' or 0).
// In memory every stamp is a Tai64n in the daemontools convention, so
// stamp.UnixSeconds() is Unix time whichever layout it came from.
#ifndef YUBIN_SUPERVISE_STATUS_RECORD_H_
#define YUBIN_SUPERVISE_STATUS_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/status.h"
#include "lib/base/tai64n.h"

namespace yubin::supervise {

inline constexpr size_t kS6StatusSize = 35;
inline constexpr size_t kDaemontoolsStatusSize = 18;

enum class StatusLayout { kS6, kDaemontools };

struct ServiceStatus {
  Tai64n stamp;        // when the pid last changed (start or death)
  Tai64n ready_stamp;  // when the service became ready (s6 only)
  uint64_t pid = 0;    // 0: down
  uint16_t wstat = 0;  // wait status of the last death (s6 only)
  bool paused = false;
  bool finishing = false;  // ./finish is running (s6 only)
  bool want_up = false;
  bool ready = false;  // s6 only
  // daemontools only: whether the want byte was set at all ('u' or 'd').
  bool want_known = true;
  StatusLayout layout = StatusLayout::kS6;

  friend bool operator==(const ServiceStatus&, const ServiceStatus&) = default;
};

// Leap seconds between Unix time and TAI at the given Unix second, beyond the
// fixed 10 (0 before 1972-07-01, 27 since 2017-01-01).
int LeapSecondsAt(int64_t unix_seconds);

void PackS6Status(const ServiceStatus& st, uint8_t out[kS6StatusSize]);
ServiceStatus UnpackS6Status(const uint8_t in[kS6StatusSize]);
void PackDaemontoolsStatus(const ServiceStatus& st,
                           uint8_t out[kDaemontoolsStatusSize]);
ServiceStatus UnpackDaemontoolsStatus(const uint8_t in[kDaemontoolsStatusSize]);

// Decodes a status file's bytes; the size tells the layout. nullopt for any
// other size.
std::optional<ServiceStatus> ParseStatusRecord(std::string_view bytes);

// Reads DIR/supervise/status. A temporary status if the file cannot be read,
// a permanent one if its size fits neither layout.
Result<ServiceStatus> ReadServiceStatus(const std::string& service_dir);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_STATUS_RECORD_H_
