#include "supervise/death_tally.h"

#include <sys/wait.h>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "supervise/service_config.h"
#include "supervise/status_record.h"

namespace yubin::supervise {

void PackDeathRecord(int wstat, const Tai64n& when,
                     uint8_t out[kDeathRecordSize]) {
  Tai64n s6_clock = when;
  s6_clock.seconds += static_cast<uint64_t>(LeapSecondsAt(when.UnixSeconds()));
  PackTai64n(s6_clock, out);
  if (WIFSIGNALED(wstat)) {
    out[12] = static_cast<uint8_t>(128 + WTERMSIG(wstat));
    out[13] = static_cast<uint8_t>(WTERMSIG(wstat));
  } else {
    out[12] = static_cast<uint8_t>(WEXITSTATUS(wstat));
    out[13] = 0;
  }
}

std::string AppendDeathRecord(std::string_view old_content, int wstat,
                              const Tai64n& when, int max_records) {
  if (max_records <= 0) return std::string();
  size_t whole = old_content.size() / kDeathRecordSize;
  size_t keep = whole < static_cast<size_t>(max_records - 1)
                    ? whole
                    : static_cast<size_t>(max_records - 1);
  std::string out(
      old_content.substr((whole - keep) * kDeathRecordSize,
                         keep * kDeathRecordSize));
  uint8_t rec[kDeathRecordSize];
  PackDeathRecord(wstat, when, rec);
  out.append(reinterpret_cast<const char*>(rec), kDeathRecordSize);
  return out;
}

Status AppendDeathTally(const std::string& path, int wstat, const Tai64n& when,
                        int max_records) {
  std::string old;
  Result<std::string> r =
      ReadSmallFile(path.c_str(), kMaxDeathTally * kDeathRecordSize);
  if (r.ok()) old = std::move(*r);
  return WriteFileAtomically(path, AppendDeathRecord(old, wstat, when, max_records),
                             0644);
}

}  // namespace yubin::supervise
