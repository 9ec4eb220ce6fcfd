// enqueue.h: puts one message into the queue, qmail-queue's way.
//
//   EnqueueRequest r{.queue_dir = QueueDir(YubinRoot()),
//                    .received_line = "Received: (yubin 42 invoked by uid 0); ...\n",
//                    .uid = getuid(), .pid = getpid(), .birth = time(nullptr)};
//   EnqueueResult res = Enqueue(/*message_fd=*/0, /*envelope_fd=*/1, r);
//   return res.exit_code;        // 0 only once the message is durably queued
//
// Steps, in order (docs/queue.md): create tmp/<pid>.<sec>.<nsec> (its inode is
// the message id); write the Received line and the message; link it to
// mess/B/id and unlink the tmp name; create intd/B/id; write the injector
// records, the envelope and the check record (envelope.h) into it; commit:
// rename it to todo/B/id, then one syncfs makes all of it durable; poke the
// trigger. Any failure before the rename removes what was created, so
// nothing half-made stays visible; a crash of the machine before the sync
// returned can leave a torn message in todo/, which the check record
// exposes (message_state.h, ReadTodo). The exit codes are qmail-queue's
// (below). A failed sync is reported, never retried.
#ifndef YUBIN_LIB_QUEUE_ENQUEUE_H_
#define YUBIN_LIB_QUEUE_ENQUEUE_H_

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>

#include "lib/base/status.h"
#include "lib/queue/layout.h"

namespace yubin::queue {

// qmail-queue's exit codes.
inline constexpr int kQueueOk = 0;
inline constexpr int kQueueAddressTooLong = 11;
inline constexpr int kQueueRefused = 31;         // never produced by yubin-queue
inline constexpr int kQueueNoMemory = 51;
inline constexpr int kQueueTimeout = 52;
inline constexpr int kQueueWriteError = 53;      // disk full, EIO, fsync failed
inline constexpr int kQueueReadError = 54;       // message or envelope unreadable/truncated
inline constexpr int kQueueConfigError = 55;
inline constexpr int kQueueNetworkError = 56;    // never produced by yubin-queue
inline constexpr int kQueueNoQueueDir = 61;      // ROOT/queue missing
inline constexpr int kQueueTmpTrouble = 63;      // cannot create in queue/tmp
inline constexpr int kQueueMessTrouble = 64;     // cannot link into or sync queue/mess
inline constexpr int kQueueIntdTrouble = 65;     // cannot create in queue/intd
inline constexpr int kQueueTodoTrouble = 66;     // cannot commit into queue/todo
inline constexpr int kQueueInternalBug = 81;
inline constexpr int kQueueBadEnvelope = 91;

// The points before which the crash test hook can kill the process.
enum class EnqueueStep : int {
  kCreateTemp = 1,
  kWriteMessage = 2,
  kCommitMessage = 3,
  kCreateEnvelope = 4,
  kWriteEnvelope = 5,
  kCommitEnvelope = 6,
  kPokeTrigger = 7,
  kExit = 8,
};
inline constexpr int kEnqueueStepCount = 8;

struct EnqueueRequest {
  std::string queue_dir;
  std::string received_line;  // complete header line ending in "\n"
  uid_t uid = 0;
  pid_t pid = 0;
  int64_t birth = 0;
  // Testing aid: when equal to a step's number, the process raises SIGKILL
  // on itself right before that step. 0 never does.
  int crash_before_step = 0;
  // Testing aid: when set, called right before the commit (the check of
  // the envelope file and its rename into todo/).
  std::function<void()> before_commit;
  // When set, called in place of the syncfs after the rename into todo/:
  // the intake service's group sync (group_sync.h), which one syncfs
  // serves for many injections.
  std::function<Status()> sync;
  // When set, called in place of TakeSpare(queue_dir, target) (the intake
  // service's SpareTaker, spare_files.h).
  std::function<bool(const std::string& target)> take_spare;
  // When set, called in place of PokeTriggerFor(queue_dir, id) (the intake
  // service's TriggerWriter, trigger.h).
  std::function<void(MessageId id)> poke;
  // When not 0: a CLOCK_MONOTONIC second after which reading the message or
  // the envelope gives up with kQueueTimeout (the intake service's timeout;
  // yubin-queue has its alarm instead). Both descriptors are then made
  // non-blocking (they must be the caller's own, as received ones are).
  time_t read_deadline = 0;
};

struct EnqueueResult {
  int exit_code = kQueueInternalBug;
  std::string error;  // what went wrong, for stderr; empty on success
  MessageId id = 0;   // set once known
};

EnqueueResult Enqueue(int message_fd, int envelope_fd,
                      const EnqueueRequest& request);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_ENQUEUE_H_
