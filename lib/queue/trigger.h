// trigger.h: the FIFO that wakes the queue manager (ROOT/queue/lock/trigger).
//
//   PokeTrigger(queue_dir);                 // yubin-queue, after its commit
//
//   UniqueFd t = OpenTriggerForManager(queue_dir);   // yubin-send, at start
//   poll({t.get(), POLLIN}) ... DrainTrigger(t.get()); then scan todo/
//
// A poke is one byte written without blocking. No manager running (no reader:
// ENXIO) or a full pipe (EAGAIN: the manager has wake-ups pending anyway) is
// fine: the manager's periodic scan finds what a lost poke would announce.
// The manager opens the FIFO read-write, so the descriptor never reports
// end of file (no spinning POLLHUP) when the last injector closes it.
#ifndef YUBIN_LIB_QUEUE_TRIGGER_H_
#define YUBIN_LIB_QUEUE_TRIGGER_H_

#include <string>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::queue {

// Best effort, never blocks; returns true when a byte reached a reader.
bool PokeTrigger(const std::string& queue_dir);

// The manager's end: read-write, non-blocking, close-on-exec. Invalid fd and
// errno set on failure.
UniqueFd OpenTriggerForManager(const std::string& queue_dir);

// Reads every pending poke; returns how many bytes were drained.
size_t DrainTrigger(int fd);

// yubin-queuectl's poke: the byte kControlPoke, which tells the manager to
// reread the hold marks and the retry times (docs/queue.md, "Holding and
// deleting"). Best effort like PokeTrigger.
inline constexpr char kControlPoke = 'c';
bool PokeTriggerControl(const std::string& queue_dir);

// DrainTrigger that also says whether a kControlPoke byte was among them.
size_t DrainTrigger(int fd, bool* control);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_TRIGGER_H_
