// hold_mark.h: the marks yubin-queuectl leaves for the queue manager
// (docs/queue.md, "Holding and deleting"): ROOT/queue/hold/<id>, one flat
// directory (held messages are few), a file holding one byte:
//   'h'  held: the manager starts no new delivery for the message
//   'd'  delete: held, and the manager removes the message (no bounce) once
//        no delivery of it is in flight
//
//   Status s = WriteMark(q, id, Mark::kHold);     // durable before it returns
//   Result<Mark> m = ReadMark(q, id);             // Mark::kNone when absent
//   Result<std::map<MessageId, Mark>> all = ReadAllMarks(q);
//   RemoveMark(q, id);                            // durable; absent is fine
//
// A missing hold/ directory means no marks (a queue made before it existed);
// WriteMark creates it. Failures are temporary Statuses except a mark file
// with unknown content, which reads as kHold (holding is the safe side).
#ifndef YUBIN_LIB_QUEUE_HOLD_MARK_H_
#define YUBIN_LIB_QUEUE_HOLD_MARK_H_

#include <map>
#include <string>

#include "lib/base/status.h"
#include "lib/queue/layout.h"

namespace yubin::queue {

enum class Mark { kNone, kHold, kDelete };

// queue_dir/hold and queue_dir/hold/<id>.
std::string HoldDir(const std::string& queue_dir);
std::string HoldPath(const std::string& queue_dir, MessageId id);

// Creates hold/ (mode 0700) if missing, then writes the mark durably
// (mode 0600). Writing kNone removes the mark.
Status WriteMark(const std::string& queue_dir, MessageId id, Mark mark);
Result<Mark> ReadMark(const std::string& queue_dir, MessageId id);
Result<std::map<MessageId, Mark>> ReadAllMarks(const std::string& queue_dir);
Status RemoveMark(const std::string& queue_dir, MessageId id);

// "held" / "to be deleted" / "" for kNone.
const char* MarkName(Mark mark);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_HOLD_MARK_H_
