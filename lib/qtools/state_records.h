// state_records.h: the queue manager's files for a message being delivered,
// as docs/queue.md defines them, read for the queue tools.
//
//   Result<InfoRecords> info = ParseInfoFile(info_file_contents);
//   Result<std::vector<RecipientRecord>> r = ParseRecipientRecords(local_file);
//   for (const RecipientRecord& x : *r) if (!x.done) ...  // still to deliver
//
// info/B/id holds NUL-terminated records: `F<sender>` (exactly one) and
// `t<unix seconds of birth>` (at most one; the caller falls back to the
// file's mtime without it), and may carry the injector's `u<uid>` and
// `p<pid>`. local/B/id and remote/B/id hold two records per recipient,
// `T<address>\0<delivery address>\0` (to do) or `D<address>\0<delivery
// address>\0` (done: delivered, or its failure recorded for the bounce);
// the delivery address is what the manager hands to the delivery program. Both parsers are bounded (addresses of at most
// kMaxAddressLength bytes, numbers within range) and fail with a permanent
// Status naming the first bad record; nothing is guessed.
#ifndef YUBIN_LIB_QTOOLS_STATE_RECORDS_H_
#define YUBIN_LIB_QTOOLS_STATE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::qtools {

struct InfoRecords {
  std::string sender;
  std::optional<int64_t> birth;  // from the t record
};

struct RecipientRecord {
  bool done = false;  // 'D'; false for 'T'
  std::string address;
  std::string delivery;  // "local@domain" (local), the address again (remote)
};

// A virtualdomains prepend may lengthen the delivery address by this much.
inline constexpr size_t kMaxPrependLength = 1024;

Result<InfoRecords> ParseInfoFile(std::string_view file);

Result<std::vector<RecipientRecord>> ParseRecipientRecords(
    std::string_view file);

// The inverse of the parsers, for tests and the fuzz target's round trip.
std::string FormatInfoFile(const InfoRecords& info);
std::string FormatRecipientRecords(const std::vector<RecipientRecord>& records);

}  // namespace yubin::qtools

#endif  // YUBIN_LIB_QTOOLS_STATE_RECORDS_H_
