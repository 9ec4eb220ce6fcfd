// queue_report.h: what is in the queue, read without changing anything,
// for yubin-qstat, yubin-qread and mailq.
//
//   Result<QueueCounts> c = CountQueue(QueueDir(YubinRoot()));
//   WriteAll(1, FormatQueueCounts(*c));        // qmail-qstat's two lines
//   Result<QueueListing> l = ReadQueue(QueueDir(YubinRoot()));
//   WriteAll(1, FormatQueueListing(*l));        // qmail-qread's entries
//
// The queue manager may remove or preprocess a message while we look: a
// message whose files vanish mid-read is left out (it is no longer queued,
// or it is read from its new place), never reported as an error. A bucket
// directory that cannot be listed fails the whole call (temporary Status);
// a message file that cannot be read or parsed is reported in the message's
// `problem` and in the listing's warnings, and the others are still listed.
#ifndef YUBIN_LIB_QTOOLS_QUEUE_REPORT_H_
#define YUBIN_LIB_QTOOLS_QUEUE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/queue/hold_mark.h"
#include "lib/queue/layout.h"

namespace yubin::qtools {

// The largest envelope or state file the tools read (a message with 100,000
// recipients of 100 bytes fits ten times over).
inline constexpr size_t kMaxQueueFileBytes = 100 << 20;

struct QueueCounts {
  uint64_t messages = 0;       // files in mess/: queued or being injected
  uint64_t unprocessed = 0;    // files in todo/: not yet preprocessed
};

Result<QueueCounts> CountQueue(const std::string& queue_dir);

// "messages in queue: N\nmessages in queue but not yet preprocessed: M\n"
std::string FormatQueueCounts(const QueueCounts& counts);

enum class Channel { kNotPreprocessed, kLocal, kRemote };

struct RecipientReport {
  Channel channel = Channel::kNotPreprocessed;
  bool done = false;
  std::string address;
};

struct MessageReport {
  queue::MessageId id = 0;
  int64_t birth = 0;       // unix seconds: the t record, else the file's mtime
  uint64_t size = 0;       // bytes of mess/B/id
  bool preprocessed = false;  // info/ (true) or todo/ (false)
  bool bouncing = false;      // bounce/B/id exists
  queue::Mark mark = queue::Mark::kNone;  // hold/id (yubin-queuectl)
  std::string sender;
  std::vector<RecipientReport> recipients;
  std::string problem;  // non-empty: a file of this message was unreadable
};

// One message by id; nullopt when it is not (or no longer) queued: no
// mess/B/id, or neither todo/B/id nor info/B/id (an injection in progress).
Result<std::optional<MessageReport>> ReadQueuedMessage(
    const std::string& queue_dir, queue::MessageId id);

struct QueueListing {
  std::vector<MessageReport> messages;  // oldest first, then by id
  std::vector<std::string> warnings;    // one per message with a problem
};

Result<QueueListing> ReadQueue(const std::string& queue_dir);

// qmail-qread's shape, one entry per message:
//   28 Nov 2026 04:19:59 GMT  #1234567  1532  <alice@example.com>
//     done  remote  bob@example.org
//           local   carol@example.com
// A message not yet preprocessed shows "todo" for each recipient; a
// message with failures collected for its bounce says "bouncing"; one
// held by yubin-queuectl says "held" (or "to be deleted").
std::string FormatMessageReport(const MessageReport& message);
std::string FormatQueueListing(const QueueListing& listing);

// "28 Nov 2026 04:19:59 GMT" (qmail-qread's date, always UTC).
std::string FormatQueueDate(int64_t unix_seconds);

}  // namespace yubin::qtools

#endif  // YUBIN_LIB_QTOOLS_QUEUE_REPORT_H_
