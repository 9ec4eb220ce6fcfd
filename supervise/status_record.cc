#include "supervise/status_record.h"

#include "lib/base/fd.h"

namespace yubin::supervise {
namespace {

// Unix times at which a leap second had been inserted (the first second
// after each one), from the IERS bulletins. None since 2017-01-01.
constexpr int64_t kLeapSecondStarts[] = {
    78796800,   94694400,   126230400,  157766400,  189302400,  220924800,
    252460800,  283996800,  315532800,  362793600,  394329600,  425865600,
    489024000,  567993600,  631152000,  662688000,  709948800,  741484800,
    773020800,  820454400,  867715200,  915148800,  1136073600, 1230768000,
    1341100800, 1435708800, 1483228800,
};

Tai64n ToS6Stamp(const Tai64n& t) {
  Tai64n out = t;
  out.seconds += static_cast<uint64_t>(LeapSecondsAt(t.UnixSeconds()));
  return out;
}

Tai64n FromS6Stamp(const Tai64n& t) {
  Tai64n out = t;
  // Near a leap second the subtraction can be off by one; harmless for
  // "up N seconds".
  out.seconds -= static_cast<uint64_t>(LeapSecondsAt(t.UnixSeconds()));
  return out;
}

}  // namespace

int LeapSecondsAt(int64_t unix_seconds) {
  int n = 0;
  for (int64_t start : kLeapSecondStarts) {
    if (unix_seconds >= start) ++n;
  }
  return n;
}

void PackS6Status(const ServiceStatus& st, uint8_t out[kS6StatusSize]) {
  PackTai64n(ToS6Stamp(st.stamp), out);
  PackTai64n(ToS6Stamp(st.ready_stamp), out + 12);
  for (int i = 0; i < 8; ++i) out[24 + i] = static_cast<uint8_t>(st.pid >> (56 - 8 * i));
  out[32] = static_cast<uint8_t>(st.wstat >> 8);
  out[33] = static_cast<uint8_t>(st.wstat);
  out[34] = static_cast<uint8_t>((st.paused ? 1 : 0) | (st.finishing ? 2 : 0) |
                                 (st.want_up ? 4 : 0) | (st.ready ? 8 : 0));
}

ServiceStatus UnpackS6Status(const uint8_t in[kS6StatusSize]) {
  ServiceStatus st;
  st.layout = StatusLayout::kS6;
  st.stamp = FromS6Stamp(UnpackTai64n(in));
  st.ready_stamp = FromS6Stamp(UnpackTai64n(in + 12));
  for (int i = 0; i < 8; ++i) st.pid = (st.pid << 8) | in[24 + i];
  st.wstat = static_cast<uint16_t>(in[32] << 8 | in[33]);
  st.paused = in[34] & 1;
  st.finishing = in[34] & 2;
  st.want_up = in[34] & 4;
  st.ready = in[34] & 8;
  return st;
}

void PackDaemontoolsStatus(const ServiceStatus& st,
                           uint8_t out[kDaemontoolsStatusSize]) {
  PackTai64n(st.stamp, out);
  uint32_t pid = static_cast<uint32_t>(st.pid);
  for (int i = 0; i < 4; ++i) out[12 + i] = static_cast<uint8_t>(pid >> (8 * i));
  out[16] = st.paused ? 1 : 0;
  out[17] = st.want_known ? (st.want_up ? 'u' : 'd') : 0;
}

ServiceStatus UnpackDaemontoolsStatus(const uint8_t in[kDaemontoolsStatusSize]) {
  ServiceStatus st;
  st.layout = StatusLayout::kDaemontools;
  st.stamp = UnpackTai64n(in);
  uint32_t pid = 0;
  for (int i = 3; i >= 0; --i) pid = (pid << 8) | in[12 + i];
  st.pid = pid;
  st.paused = in[16] != 0;
  st.want_known = in[17] == 'u' || in[17] == 'd';
  st.want_up = in[17] == 'u';
  return st;
}

std::optional<ServiceStatus> ParseStatusRecord(std::string_view bytes) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() == kS6StatusSize) return UnpackS6Status(p);
  if (bytes.size() == kDaemontoolsStatusSize) return UnpackDaemontoolsStatus(p);
  return std::nullopt;
}

Result<ServiceStatus> ReadServiceStatus(const std::string& service_dir) {
  std::string path = service_dir + "/supervise/status";
  Result<std::string> bytes = ReadSmallFile(path.c_str(), 64);
  if (!bytes.ok()) {
    if (bytes.status().permanent()) {
      return Status::Permanent(path + ": not a status record");
    }
    return bytes.status();
  }
  std::optional<ServiceStatus> st = ParseStatusRecord(*bytes);
  if (!st) {
    return Status::Permanent(path + ": unknown status layout (" +
                             std::to_string(bytes->size()) + " bytes)");
  }
  return *st;
}

}  // namespace yubin::supervise
