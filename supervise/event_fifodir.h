// event_fifodir.h: the s6 event/ directory through which supervise tells
// waiters (s6-svwait, s6-svc -wU, svc -w...) what happened.
//
//   Status s = CreateEventFifodir("event");   // mode 03730, like s6
//   NotifyEventFifodir("event", 'u');          // every subscriber gets 'u'
//
// A subscriber creates a FIFO named "ftrig1:..." in the directory and reads
// it; supervise opens each such FIFO write-only, non-blocking, writes the one
// event byte and closes it. A FIFO nobody reads any more (open fails with
// ENXIO) is removed. Events: s supervise started, u up, U ready, d down,
// D really down (finish done), x supervise exiting.
#ifndef YUBIN_SUPERVISE_EVENT_FIFODIR_H_
#define YUBIN_SUPERVISE_EVENT_FIFODIR_H_

#include "lib/base/status.h"

namespace yubin::supervise {

inline constexpr char kFifoPrefix[] = "ftrig1:";
// Subscribers served per event; a directory stuffed with more is cut off.
inline constexpr int kMaxSubscribers = 1000;

Status CreateEventFifodir(const char* path);
void NotifyEventFifodir(const char* path, char event);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_EVENT_FIFODIR_H_
