// remote_report.h: reading yubin-remote's report (docs/remote.md) and
// turning it into yubin-rspawn's result records.
//
//   std::optional<RemoteReport> rep = ParseRemoteReport(stdout_bytes, 1);
//   std::vector<DeliveryResult> r = RemoteResults(delivery, wait_status, stdout_bytes);
//
// A message's report is one record per recipient, a letter `r` (accepted),
// `h` (permanent) or `s` (temporary) then text then NUL, then one record for
// the message, `K` (delivered), `D` (permanent) or `Z` (temporary) then text
// then NUL. A run for several messages writes their reports one after the
// other, in the order of MessagesOf, each as soon as that message is done.
// TakeRemoteReport reads one message's report off the front of the output;
// it returns nullopt for anything else: fewer records, another letter, an
// empty record, a text longer than kMaxReportTextBytes.
// ParseRemoteReport wants exactly one report and nothing after it.
//
// RemoteResults gives one result per request: for a recipient `h` -> 100,
// `s` -> 111, `r` with `K` -> 0, `r` with `D` -> 100, `r` with `Z` -> 111.
// A message whose whole report arrived keeps these results even when
// yubin-remote then exited non-zero or was killed (the server has answered:
// sending it again would repeat it); the messages after the first missing or
// malformed report get 111 with a text saying why. The text is the
// recipient's text (and the message's, after a newline, when the recipient
// was accepted and the two differ).
#ifndef YUBIN_LIB_QUEUE_REMOTE_REPORT_H_
#define YUBIN_LIB_QUEUE_REMOTE_REPORT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/queue/delivery_records.h"

namespace yubin::queue {

// yubin-remote's bound on a record's text.
inline constexpr size_t kMaxReportTextBytes = 1000;
// Output kept from one run: a record for every recipient and every message
// of the largest delivery, each with its letter and NUL.
inline constexpr size_t kMaxRemoteReportBytes =
    2 * kMaxDeliveryRequests * (kMaxReportTextBytes + 2);

struct RemoteReport {
  struct Entry {
    char code = 0;
    std::string text;
  };
  std::vector<Entry> recipients;
  Entry message;
};

std::optional<RemoteReport> TakeRemoteReport(std::string_view* report, size_t recipients);
std::optional<RemoteReport> ParseRemoteReport(std::string_view report, size_t recipients);

std::vector<DeliveryResult> RemoteResults(const Delivery& delivery, int wait_status,
                                          const std::string& output);
// The results of the messages whose reports have all arrived (yubin-remote
// still running), as RemoteResults gives them.
std::vector<DeliveryResult> CompletedRemoteResults(const Delivery& delivery,
                                                   const std::string& output);
// RemoteResults for a delivery of one request.
DeliveryResult RemoteResult(const DeliveryRequest& request, int wait_status,
                            const std::string& output);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_REMOTE_REPORT_H_
