// queue_summary.h: counts of a yubin queue by area and its oldest message,
// for `yubinctl queue`.
//
//   Result<QueueSummary> q = SummarizeQueue("/var/yubin", time(nullptr));
//   if (q.ok()) std::fputs(FormatQueueSummary(*q).c_str(), stdout);
//
// Reads only directory entries and the mess/ files' modification times
// (yubin-queue writes mess/ first, so its mtime is the message's arrival).
// Fails with a temporary Status when a bucket cannot be read (for example,
// not run as the queue's owner or root).
#ifndef YUBIN_LIB_CTL_QUEUE_SUMMARY_H_
#define YUBIN_LIB_CTL_QUEUE_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>

#include "lib/base/status.h"

namespace yubin::ctl {

struct QueueSummary {
  std::map<std::string, uint64_t> counts;  // area name ("mess", "todo", ...) -> files
  bool has_oldest = false;
  uint64_t oldest_id = 0;
  int64_t oldest_age_seconds = 0;
};

Result<QueueSummary> SummarizeQueue(const std::string& root, int64_t now_unix);

// messages 3 (oldest 5m02s, id 1234), then one line per area with what it means.
std::string FormatQueueSummary(const QueueSummary& summary);

}  // namespace yubin::ctl

#endif  // YUBIN_LIB_CTL_QUEUE_SUMMARY_H_
