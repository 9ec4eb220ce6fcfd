// intake_server.h: yubin-intake, the queue's resident injector.
//
//   IntakeOptions o{.root = YubinRoot(), .ready_fd = 3};
//   return RunIntakeServer(o);   // 0 after SIGTERM, 111 on a fatal error
//
// It listens on ROOT/intake/intake.sock (intake_protocol.h; bound under
// intake.sock.new, mode 0666, and renamed into place once listening) and
// runs each injection with Enqueue in the thread that accepted it (its
// threads wait in accept(2) themselves), exactly the
// steps and exit codes of yubin-queue, with two differences: the Received
// line and the injector records name the client's pid and uid (SO_PEERCRED),
// and the syncs of concurrent injections are shared (GroupSync), so that
// ten sessions committing at once cost about two syncfs calls, not twenty.
// An injection whose message and envelope have not arrived within
// timeout_seconds fails with 52, as yubin-queue's alarm makes it. At most
// max_injections run at once; further connections wait in the listen
// queue (a client finding it full runs yubin-queue instead), and one uid
// may run at most max_per_uid (beyond: answered 51 at once). After a failed sync every later injection fails too (a sync is
// never retried into a success): the service answers those running,
// then exits 111 to be restarted. SIGTERM: stop accepting, wait up to
// kIntakeTermWaitSeconds for running injections, exit 0.
#ifndef YUBIN_LIB_QUEUE_INTAKE_SERVER_H_
#define YUBIN_LIB_QUEUE_INTAKE_SERVER_H_

#include <cstddef>
#include <chrono>
#include <ctime>
#include <string>

#include "lib/queue/cleanup.h"

namespace yubin::queue {

inline constexpr size_t kMaxInjections = 500;
// Injections one uid may run at once; beyond, it is answered 51 at once,
// so that one local user cannot hold every slot (yubin-smtpd's uid has its
// own allowance).
inline constexpr size_t kMaxInjectionsPerUid = 100;
inline constexpr time_t kIntakeTermWaitSeconds = 60;
// A client that connects has this long to pass its descriptors.
inline constexpr time_t kIntakeRequestSeconds = 60;
// How long a sync waits for the other running injections to ask for it
// too (group_sync.h, "Gathering").
inline constexpr std::chrono::microseconds kIntakeGatherWait{1000};

struct IntakeOptions {
  std::string root;
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
  size_t max_injections = kMaxInjections;
  size_t max_per_uid = kMaxInjectionsPerUid;
  time_t timeout_seconds = kInjectionTimeoutSeconds;
  // Testing aid (YUBIN_QUEUE_CRASH_AT): the whole service raises SIGKILL
  // right before this step (enqueue.h) of an injection. 0 never does.
  int crash_before_step = 0;
};

int RunIntakeServer(const IntakeOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_INTAKE_SERVER_H_
