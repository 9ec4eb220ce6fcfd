// layout.h: where a queued message lives under ROOT/queue.
//
//   std::string q = QueueDir(YubinRoot());                  // ROOT/queue
//   std::string mess = MessagePath(q, QueueArea::kMess, id);  // q/mess/17/1234
//   Result<std::vector<MessageId>> ids = ListBucket(q, QueueArea::kTodo, 17);
//
// A message's id is the inode number of its content file in mess/; it is
// unique among queued messages because the inode stays allocated as long as
// the message is queued. Every per-message file is named by the id and lives
// in bucket id % kQueueSplit of its area, so no directory holds more than a
// small share of the queue (docs/queue.md). Listing fails with a temporary
// Status when a directory cannot be read.
#ifndef YUBIN_LIB_QUEUE_LAYOUT_H_
#define YUBIN_LIB_QUEUE_LAYOUT_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::queue {

using MessageId = uint64_t;

// Buckets per hashed area: a prime, as qmail's conf-split, chosen so that
// 100,000 queued messages put about 1,000 names in each directory.
inline constexpr unsigned kQueueSplit = 101;

// Modes of everything in the queue: only the queue's owner can read it.
inline constexpr mode_t kQueueDirMode = 0700;
inline constexpr mode_t kQueueFileMode = 0600;

// The hashed areas. Each has kQueueSplit bucket directories 0..kQueueSplit-1.
enum class QueueArea {
  kMess,    // message content (Received: line + message), written by yubin-queue
  kIntd,    // envelope being written by yubin-queue; never read by the manager
  kTodo,    // committed envelope: the message is queued (the commit point)
  kInfo,    // manager: sender and birth time of a message being delivered
  kLocal,   // manager: local recipients and their state
  kRemote,  // manager: remote recipients and their state
  kBounce,  // manager: permanent failures collected for the bounce
};
inline constexpr QueueArea kAllAreas[] = {
    QueueArea::kMess,  QueueArea::kIntd,   QueueArea::kTodo,
    QueueArea::kInfo,  QueueArea::kLocal,  QueueArea::kRemote,
    QueueArea::kBounce};

// "mess", "intd", ...
std::string_view AreaName(QueueArea area);

// The queue directory of a yubin root: ROOT/queue.
std::string QueueDir(const std::string& root);
// Flat directory for injections in progress (named <pid>.<sec>.<nsec>).
std::string TmpDir(const std::string& queue_dir);
// Directory of lock files and the trigger FIFO.
std::string LockDir(const std::string& queue_dir);
// The FIFO yubin-queue pokes after each commit to wake the manager.
std::string TriggerPath(const std::string& queue_dir);
// The file the queue manager holds an exclusive flock on while it runs.
std::string SendMutexPath(const std::string& queue_dir);

unsigned BucketOf(MessageId id);
// queue_dir/AREA/BUCKET
std::string BucketDir(const std::string& queue_dir, QueueArea area,
                      unsigned bucket);
// queue_dir/AREA/(id % kQueueSplit)/id
std::string MessagePath(const std::string& queue_dir, QueueArea area,
                        MessageId id);

// A name in a bucket directory as an id; nullopt for anything else (dot
// files, names with non-digits, leading zeros, overflow).
std::optional<MessageId> ParseMessageId(std::string_view name);

// The ids in one bucket of an area, in directory order. Names that are not
// ids are skipped.
Result<std::vector<MessageId>> ListBucket(const std::string& queue_dir,
                                          QueueArea area, unsigned bucket);

// Calls fn(id) for every id in every bucket of area; stops at the first
// bucket that cannot be read and returns its error.
Status ForEachMessage(const std::string& queue_dir, QueueArea area,
                      const std::function<void(MessageId)>& fn);

// Creates every directory of the layout and the trigger FIFO under queue_dir
// (which may exist), with the modes above. Existing directories and files are
// kept: running it on a live queue loses nothing. Directories created are
// fsynced into their parents.
Status CreateQueueLayout(const std::string& queue_dir);

// Checks that every directory of the layout exists; names the first missing.
Status CheckQueueLayout(const std::string& queue_dir);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_LAYOUT_H_
