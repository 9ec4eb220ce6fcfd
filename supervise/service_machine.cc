#include "supervise/service_machine.h"

#include <cstdlib>

namespace yubin::supervise {

void Actions::Push(ActionKind kind, int arg) {
  // The transitions below push at most 9 actions; more is a broken invariant.
  if (count_ >= kMaxActions) std::abort();
  items_[count_++] = Action{kind, arg};
}

bool Actions::Has(ActionKind kind, int arg) const {
  for (const Action& a : *this) {
    if (a.kind == kind && a.arg == arg) return true;
  }
  return false;
}

bool Actions::Has(ActionKind kind) const {
  for (const Action& a : *this) {
    if (a.kind == kind) return true;
  }
  return false;
}

ServiceMachine::ServiceMachine(const MachineConfig& config, bool normally_up)
    : config_(config), want_up_(normally_up) {
  status_.want_up = normally_up;
}

Actions ServiceMachine::Step(const Input& in) {
  Actions out;
  switch (in.event) {
    case Event::kBoot:
      if (booted_) break;
      booted_ = true;
      status_.stamp = in.now;
      status_.ready_stamp = in.now;
      out.Push(ActionKind::kNotify, 's');
      if (want_up_) {
        Start(in, out);
      } else {
        WriteStatus(out);
      }
      break;
    case Event::kRunExited:
      OnRunExited(in, out);
      break;
    case Event::kFinishExited:
      OnFinishExited(in, out);
      break;
    case Event::kReady:
      if (ServiceRuns() && !status_.ready) {
        status_.ready = true;
        status_.ready_stamp = in.now;
        WriteStatus(out);
        out.Push(ActionKind::kNotify, 'U');
      }
      break;
    case Event::kDeadline:
      OnDeadline(in, out);
      break;
    default:
      OnControl(in, out);
      break;
  }
  return out;
}

void ServiceMachine::OnControl(const Input& in, Actions& out) {
  switch (in.event) {
    case Event::kUp:
      want_up_ = true;
      if (state_ == State::kDown) {
        StartOrWait(in, out);
      } else {
        WriteStatus(out);
      }
      break;
    case Event::kOnce:
      want_up_ = false;
      if (state_ == State::kDown) {
        StartOrWait(in, out);
        // The throttle held it back: start once when the deadline comes.
        if (state_ == State::kRestartWait) once_pending_ = true;
      } else {
        if (state_ == State::kRestartWait || state_ == State::kFinishing) {
          once_pending_ = true;
        }
        WriteStatus(out);
      }
      break;
    case Event::kOnceAtMost:
      want_up_ = false;
      WriteStatus(out);
      break;
    case Event::kDown:
    case Event::kTerm:
      want_up_ = false;
      once_pending_ = false;
      if (ServiceRuns()) {
        SendDown(in, out);
      } else if (state_ == State::kRestartWait) {
        state_ = State::kDown;
        deadline_ms_ = -1;
      }
      if (in.event == Event::kTerm) {
        exit_when_down_ = true;
        if (state_ == State::kDown) {
          Exit(out);
          break;
        }
      }
      WriteStatus(out);
      break;
    case Event::kRestart:
      if (ServiceRuns()) SendDown(in, out);
      break;
    case Event::kPause:
      if (ServiceRuns()) {
        out.Push(ActionKind::kSignalRun, SIGSTOP);
        status_.paused = true;
        WriteStatus(out);
      }
      break;
    case Event::kContinue:
      if (ServiceRuns()) {
        out.Push(ActionKind::kSignalRun, SIGCONT);
        status_.paused = false;
        WriteStatus(out);
      }
      break;
    case Event::kSignal:
      if (ServiceRuns()) out.Push(ActionKind::kSignalRun, in.signal);
      break;
    case Event::kExit:
    case Event::kHangup:
      exit_when_down_ = true;
      if (state_ == State::kDown || state_ == State::kRestartWait) {
        state_ = State::kDown;
        deadline_ms_ = -1;
        Exit(out);
      }
      break;
    default:
      break;
  }
}

void ServiceMachine::SendDown(const Input& in, Actions& out) {
  out.Push(ActionKind::kSignalRun, config_.down_signal);
  out.Push(ActionKind::kSignalRun, SIGCONT);
  status_.paused = false;
  state_ = State::kStopping;
  deadline_ms_ = config_.timeout_kill_ms > 0
                     ? in.now_ms + config_.timeout_kill_ms
                     : -1;
}

void ServiceMachine::OnRunExited(const Input& in, Actions& out) {
  if (!ServiceRuns()) return;
  status_.pid = 0;
  status_.wstat = static_cast<uint16_t>(in.wstat);
  status_.stamp = in.now;
  status_.ready = false;
  status_.paused = false;
  deadline_ms_ = -1;
  out.Push(ActionKind::kRecordDeath);
  out.Push(ActionKind::kNotify, 'd');
  if (config_.has_finish) {
    state_ = State::kFinishing;
    status_.finishing = true;
    out.Push(ActionKind::kSpawnFinish);
    if (config_.timeout_finish_ms > 0) {
      deadline_ms_ = in.now_ms + config_.timeout_finish_ms;
    }
    WriteStatus(out);
    return;
  }
  AfterDown(in, out);
}

void ServiceMachine::OnFinishExited(const Input& in, Actions& out) {
  if (state_ != State::kFinishing) return;
  status_.finishing = false;
  status_.pid = 0;
  deadline_ms_ = -1;
  AfterDown(in, out);
}

void ServiceMachine::AfterDown(const Input& in, Actions& out) {
  // s6 reuses the ready flag while down: set means "really down", i.e. any
  // ./finish is over, and readystamp says since when.
  state_ = State::kDown;
  status_.ready = true;
  status_.ready_stamp = in.now;
  WriteStatus(out);
  out.Push(ActionKind::kNotify, 'D');
  if (exit_when_down_) {
    Exit(out);
  } else if (want_up_ || once_pending_) {
    StartOrWait(in, out);
  }
}

void ServiceMachine::OnDeadline(const Input& in, Actions& out) {
  if (deadline_ms_ < 0 || in.now_ms < deadline_ms_) return;
  deadline_ms_ = -1;
  switch (state_) {
    case State::kRestartWait:
      state_ = State::kDown;
      if (want_up_ || once_pending_) {
        Start(in, out);
      } else {
        WriteStatus(out);
      }
      break;
    case State::kStopping:
      out.Push(ActionKind::kSignalRun, SIGKILL);
      break;
    case State::kFinishing:
      out.Push(ActionKind::kKillFinish);
      break;
    default:
      break;
  }
}

void ServiceMachine::StartOrWait(const Input& in, Actions& out) {
  if (last_start_ms_ >= 0 && in.now_ms - last_start_ms_ < kRestartThrottleMs) {
    state_ = State::kRestartWait;
    deadline_ms_ = last_start_ms_ + kRestartThrottleMs;
    WriteStatus(out);
    return;
  }
  Start(in, out);
}

void ServiceMachine::Start(const Input& in, Actions& out) {
  state_ = State::kUp;
  last_start_ms_ = in.now_ms;
  deadline_ms_ = -1;
  once_pending_ = false;
  status_.stamp = in.now;
  status_.ready = false;
  status_.paused = false;
  out.Push(ActionKind::kSpawnRun);
  WriteStatus(out);
  out.Push(ActionKind::kNotify, 'u');
}

void ServiceMachine::Exit(Actions& out) {
  WriteStatus(out);
  out.Push(ActionKind::kNotify, 'x');
  out.Push(ActionKind::kExitSupervisor);
}

void ServiceMachine::WriteStatus(Actions& out) {
  status_.want_up = want_up_;
  out.Push(ActionKind::kWriteStatus);
}

const char* StateName(State s) {
  switch (s) {
    case State::kDown: return "down";
    case State::kRestartWait: return "restart-wait";
    case State::kUp: return "up";
    case State::kStopping: return "stopping";
    case State::kFinishing: return "finishing";
  }
  return "?";
}

const char* EventName(Event e) {
  static const char* const kNames[kEventCount] = {
      "boot",  "u",       "d",    "o",     "O",           "p",
      "c",     "signal",  "r",    "x",     "term",        "hangup",
      "run-exited", "finish-exited", "ready", "deadline"};
  int i = static_cast<int>(e);
  return i >= 0 && i < kEventCount ? kNames[i] : "?";
}

}  // namespace yubin::supervise
