// death_tally.h: supervise/death_tally, the record of the service's last deaths.
//
//   Status s = AppendDeathTally("supervise/death_tally", wstat, Tai64n::Now(),
//                               /*max_records=*/100);
//
// Layout as s6-supervise writes it: a sequence of kDeathRecordSize-byte
// records, oldest first: the TAI64N stamp in s6's clock (leap seconds
// counted), one byte exit code (128 + signal when killed), one byte signal
// (0 when it exited). Only the newest max_records are kept; the file is
// replaced atomically. Fails with a temporary Status when it cannot write.
#ifndef YUBIN_SUPERVISE_DEATH_TALLY_H_
#define YUBIN_SUPERVISE_DEATH_TALLY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/status.h"
#include "lib/base/tai64n.h"

namespace yubin::supervise {

inline constexpr size_t kDeathRecordSize = 14;

// One record for wait status wstat at time `when` (daemontools convention).
void PackDeathRecord(int wstat, const Tai64n& when,
                     uint8_t out[kDeathRecordSize]);

// The new file content: the old content's whole records, the new one
// appended, trimmed to the newest max_records.
std::string AppendDeathRecord(std::string_view old_content, int wstat,
                              const Tai64n& when, int max_records);

Status AppendDeathTally(const std::string& path, int wstat, const Tai64n& when,
                        int max_records);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_DEATH_TALLY_H_
