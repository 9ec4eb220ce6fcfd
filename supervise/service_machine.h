// service_machine.h: supervise's explicit state x event table, without I/O.
//
//   ServiceMachine m(config, /*normally_up=*/true);
//   Actions a = m.Step({.event = Event::kBoot, .now_ms = Monotonic(),
//                       .now = Tai64n::Now()});
//   for (const Action& act : a) Execute(act);   // fork ./run, kill, write ...
//   // after kSpawnRun the driver stores the child's pid: m.status().pid = pid.
//
// The driver (supervise_main_loop.cc) turns the world into Events (control
// letters, child deaths, the readiness line, a deadline passing, signals to
// supervise itself) and carries out the Actions in order. The only timer is
// deadline_ms(): a restart held back by the throttle, timeout-kill after a
// down signal, or timeout-finish. No event, no wake-up.
//
// Nothing here fails: events that make no sense in a state (a readiness line
// while down) change nothing.
#ifndef YUBIN_SUPERVISE_SERVICE_MACHINE_H_
#define YUBIN_SUPERVISE_SERVICE_MACHINE_H_

#include <csignal>
#include <cstdint>

#include "lib/base/tai64n.h"
#include "supervise/status_record.h"

namespace yubin::supervise {

// A crash loop starts the service at most once per this interval.
inline constexpr int64_t kRestartThrottleMs = 1000;
// How long ./finish may run unless timeout-finish says otherwise.
inline constexpr int64_t kDefaultFinishTimeoutMs = 5000;
inline constexpr int kMaxActions = 12;

enum class State {
  kDown,         // nothing runs, nothing is scheduled
  kRestartWait,  // down, start held back by the throttle until deadline
  kUp,           // ./run runs
  kStopping,     // ./run got its down signal; KILL at deadline (timeout-kill)
  kFinishing,    // ./finish runs; KILL at deadline (timeout-finish)
};
inline constexpr int kStateCount = 5;

enum class Event {
  kBoot,          // supervise has started (only the first counts)
  kUp,            // u
  kDown,          // d
  kOnce,          // o
  kOnceAtMost,    // O
  kPause,         // p
  kContinue,      // c
  kSignal,        // h a i t k q 1 2 y b (Input::signal)
  kRestart,       // r
  kExit,          // x
  kTerm,          // SIGTERM to supervise: d and x
  kHangup,        // SIGHUP to supervise: x
  kRunExited,     // ./run died (Input::wstat)
  kFinishExited,  // ./finish ended
  kReady,         // the readiness line arrived on notification-fd
  kDeadline,      // deadline_ms() has passed
};
inline constexpr int kEventCount = 16;

enum class ActionKind {
  kSpawnRun,        // fork/exec ./run; then status().pid = its pid
  kSpawnFinish,     // fork/exec ./finish with status().wstat; pid likewise
  kSignalRun,       // kill(run pid, arg)
  kKillFinish,      // kill(finish pid, SIGKILL)
  kRecordDeath,     // append status().wstat to supervise/death_tally
  kWriteStatus,     // rewrite supervise/status from status()
  kNotify,          // write event byte arg to every event/ftrig1:* FIFO
  kExitSupervisor,  // supervise exits 0
};

struct Action {
  ActionKind kind;
  int arg = 0;
  friend bool operator==(const Action&, const Action&) = default;
};

class Actions {
 public:
  void Push(ActionKind kind, int arg = 0);
  int size() const { return count_; }
  const Action& operator[](int i) const { return items_[i]; }
  const Action* begin() const { return items_; }
  const Action* end() const { return items_ + count_; }
  bool Has(ActionKind kind, int arg) const;
  bool Has(ActionKind kind) const;

 private:
  Action items_[kMaxActions];
  int count_ = 0;
};

struct MachineConfig {
  bool has_finish = false;
  int down_signal = SIGTERM;
  int64_t timeout_kill_ms = 0;  // 0: never KILL after the down signal
  int64_t timeout_finish_ms = kDefaultFinishTimeoutMs;  // 0: no limit
};

struct Input {
  Event event;
  int signal = 0;  // kSignal
  int wstat = 0;   // kRunExited
  int64_t now_ms = 0;  // monotonic clock, for the throttle and timeouts
  Tai64n now;          // wall clock, for the status stamps
};

class ServiceMachine {
 public:
  ServiceMachine(const MachineConfig& config, bool normally_up);

  Actions Step(const Input& in);

  State state() const { return state_; }
  // -1: no deadline. Otherwise the monotonic ms at which to send kDeadline.
  int64_t deadline_ms() const { return deadline_ms_; }
  bool want_up() const { return want_up_; }
  bool exit_requested() const { return exit_when_down_; }
  ServiceStatus& status() { return status_; }
  const ServiceStatus& status() const { return status_; }
  // The driver re-reads the service directory (finish, down-signal, ...)
  // before each event; the machine uses what it is given.
  MachineConfig& config() { return config_; }

 private:
  void OnControl(const Input& in, Actions& out);
  void OnRunExited(const Input& in, Actions& out);
  void OnFinishExited(const Input& in, Actions& out);
  void OnDeadline(const Input& in, Actions& out);
  void StartOrWait(const Input& in, Actions& out);
  void Start(const Input& in, Actions& out);
  void SendDown(const Input& in, Actions& out);
  void AfterDown(const Input& in, Actions& out);
  void Exit(Actions& out);
  void WriteStatus(Actions& out);
  bool ServiceRuns() const {
    return state_ == State::kUp || state_ == State::kStopping;
  }

  MachineConfig config_;
  ServiceStatus status_;
  State state_ = State::kDown;
  bool want_up_;
  bool once_pending_ = false;  // o arrived while a start could not happen yet
  bool exit_when_down_ = false;
  bool booted_ = false;
  int64_t last_start_ms_ = -1;
  int64_t deadline_ms_ = -1;
};

const char* StateName(State s);
const char* EventName(Event e);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_SERVICE_MACHINE_H_
