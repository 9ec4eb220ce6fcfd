// wait_condition.h: when a wait asked of svc (-wu, -wU, ...) is satisfied.
//
//   WaitCondition cond(WaitFor::kRestart);
//   cond.Start(status_read_after_subscribing);   // may already hold
//   for (char event : bytes_from_event_fifo) if (cond.OnEvent(event)) break;
//
// Events are the bytes supervise writes into each FIFO of DIR/event:
// 'u' process started, 'U' ready, 'd' process died, 'D' ./finish done,
// 'x' the supervisor exits. Pure: no I/O, so every state x event is tested.
#ifndef YUBIN_LIB_SVC_WAIT_CONDITION_H_
#define YUBIN_LIB_SVC_WAIT_CONDITION_H_

#include "lib/svc/svc_args.h"
#include "supervise/status_record.h"

namespace yubin::svc {

class WaitCondition {
 public:
  explicit WaitCondition(WaitFor wait) : wait_(wait) {}

  // Checks the status read after subscribing to the events; true when the
  // wait is already satisfied (never for the restart waits, which need a
  // start after this moment).
  bool Start(const supervise::ServiceStatus& status);
  // Feeds one event byte; true once the wait is satisfied.
  bool OnEvent(char event);
  bool satisfied() const { return satisfied_; }
  // True after an 'x' event: the supervisor went away, nothing will come.
  bool supervisor_gone() const { return supervisor_gone_; }

 private:
  WaitFor wait_;
  bool seen_down_ = false;
  bool satisfied_ = false;
  bool supervisor_gone_ = false;
};

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_WAIT_CONDITION_H_
