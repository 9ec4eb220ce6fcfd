// remote_report.h: reading yubin-remote's report (docs/remote.md) and
// turning it into yubin-rspawn's result record.
//
//   std::optional<RemoteReport> rep = ParseRemoteReport(stdout_bytes, 1);
//   DeliveryResult r = RemoteResult(request, wait_status, stdout_bytes);
//
// The report is one record per recipient, a letter `r` (accepted), `h`
// (permanent) or `s` (temporary) then text then NUL, then one record for the
// message, `K` (delivered), `D` (permanent) or `Z` (temporary) then text
// then NUL, and nothing after. ParseRemoteReport returns nullopt for
// anything else: another count of records, another letter, bytes after the
// last NUL, input longer than kMaxRemoteReportBytes.
//
// RemoteResult, for a request of one recipient: `h` -> 100, `s` -> 111,
// `r` with `K` -> 0, `r` with `D` -> 100, `r` with `Z` -> 111; a
// yubin-remote that exited non-zero or was killed, or a malformed report,
// -> 111 with a text saying so. The text is the recipient's text (and the
// message's, after a newline, when the recipient was accepted and the two
// differ).
#ifndef YUBIN_LIB_QUEUE_REMOTE_REPORT_H_
#define YUBIN_LIB_QUEUE_REMOTE_REPORT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/queue/delivery_records.h"

namespace yubin::queue {

// Each text is at most 1000 bytes (yubin-remote's own bound) plus its letter
// and NUL; one recipient per request leaves ample room.
inline constexpr size_t kMaxRemoteReportBytes = 8192;

struct RemoteReport {
  struct Entry {
    char code = 0;
    std::string text;
  };
  std::vector<Entry> recipients;
  Entry message;
};

std::optional<RemoteReport> ParseRemoteReport(std::string_view report, size_t recipients);

DeliveryResult RemoteResult(const DeliveryRequest& request, int wait_status,
                            const std::string& output);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_REMOTE_REPORT_H_
