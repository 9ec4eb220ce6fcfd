#include "supervise/service_machine.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

namespace yubin::supervise {
namespace {

constexpr int kExit1 = 1 << 8;  // wait status of "exit 1"
constexpr int64_t kTimeoutKillMs = 500;

Input At(Event e, int64_t ms, int wstat = 0, int sig = 0) {
  Input in;
  in.event = e;
  in.now_ms = ms;
  in.now = Tai64n::FromUnix(1700000000 + ms / 1000, 0);
  in.wstat = wstat;
  in.signal = sig;
  return in;
}

std::string Describe(const Actions& actions) {
  std::string out;
  for (const Action& a : actions) {
    if (!out.empty()) out += ",";
    switch (a.kind) {
      case ActionKind::kSpawnRun: out += "run"; break;
      case ActionKind::kSpawnFinish: out += "finish"; break;
      case ActionKind::kSignalRun: out += "sig" + std::to_string(a.arg); break;
      case ActionKind::kKillFinish: out += "killfinish"; break;
      case ActionKind::kRecordDeath: out += "tally"; break;
      case ActionKind::kWriteStatus: out += "status"; break;
      case ActionKind::kNotify: out += std::string(1, static_cast<char>(a.arg)); break;
      case ActionKind::kExitSupervisor: out += "exit"; break;
    }
  }
  return out;
}

// A machine driven into `state` through ordinary events, as supervise would.
ServiceMachine MachineIn(State state) {
  MachineConfig config;
  config.timeout_kill_ms = kTimeoutKillMs;
  config.has_finish = state == State::kFinishing;
  ServiceMachine m(config, state != State::kDown);
  m.Step(At(Event::kBoot, 0));
  switch (state) {
    case State::kDown:
    case State::kUp:
      break;
    case State::kRestartWait:
      m.Step(At(Event::kRunExited, 100, kExit1));
      break;
    case State::kStopping:
      m.Step(At(Event::kDown, 100));
      break;
    case State::kFinishing:
      m.Step(At(Event::kRunExited, 100, kExit1));
      break;
  }
  EXPECT_EQ(m.state(), state) << "setup for " << StateName(state);
  return m;
}

struct Cell {
  State from;
  Event event;
  State to;
  const char* actions;
};

// Every state x event. Events arrive at t=600 ms: after the timeout-kill
// deadline (100 + 500) but before the throttle lets a restart happen
// (0 + 1000), so the throttle is visible; kDeadline cells use t=10000,
// past every deadline. kBoot counts only once, so a second one changes
// nothing.
// SIGNAL cells send SIGHUP (1); down-signal is SIGTERM (15), CONT is 18.
const Cell kTable[] = {
    // down (normally down, never started)
    {State::kDown, Event::kBoot, State::kDown, ""},
    {State::kDown, Event::kUp, State::kUp, "run,status,u"},
    {State::kDown, Event::kDown, State::kDown, "status"},
    {State::kDown, Event::kOnce, State::kUp, "run,status,u"},
    {State::kDown, Event::kOnceAtMost, State::kDown, "status"},
    {State::kDown, Event::kPause, State::kDown, ""},
    {State::kDown, Event::kContinue, State::kDown, ""},
    {State::kDown, Event::kSignal, State::kDown, ""},
    {State::kDown, Event::kRestart, State::kDown, ""},
    {State::kDown, Event::kExit, State::kDown, "status,x,exit"},
    {State::kDown, Event::kTerm, State::kDown, "status,x,exit"},
    {State::kDown, Event::kHangup, State::kDown, "status,x,exit"},
    {State::kDown, Event::kRunExited, State::kDown, ""},
    {State::kDown, Event::kFinishExited, State::kDown, ""},
    {State::kDown, Event::kReady, State::kDown, ""},
    {State::kDown, Event::kDeadline, State::kDown, ""},
    // restart-wait (died after 100 ms; next start allowed at 1000 ms)
    {State::kRestartWait, Event::kBoot, State::kRestartWait, ""},
    {State::kRestartWait, Event::kUp, State::kRestartWait, "status"},
    {State::kRestartWait, Event::kDown, State::kDown, "status"},
    {State::kRestartWait, Event::kOnce, State::kRestartWait, "status"},
    {State::kRestartWait, Event::kOnceAtMost, State::kRestartWait, "status"},
    {State::kRestartWait, Event::kPause, State::kRestartWait, ""},
    {State::kRestartWait, Event::kContinue, State::kRestartWait, ""},
    {State::kRestartWait, Event::kSignal, State::kRestartWait, ""},
    {State::kRestartWait, Event::kRestart, State::kRestartWait, ""},
    {State::kRestartWait, Event::kExit, State::kDown, "status,x,exit"},
    {State::kRestartWait, Event::kTerm, State::kDown, "status,x,exit"},
    {State::kRestartWait, Event::kHangup, State::kDown, "status,x,exit"},
    {State::kRestartWait, Event::kRunExited, State::kRestartWait, ""},
    {State::kRestartWait, Event::kFinishExited, State::kRestartWait, ""},
    {State::kRestartWait, Event::kReady, State::kRestartWait, ""},
    {State::kRestartWait, Event::kDeadline, State::kUp, "run,status,u"},
    // up
    {State::kUp, Event::kBoot, State::kUp, ""},
    {State::kUp, Event::kUp, State::kUp, "status"},
    {State::kUp, Event::kDown, State::kStopping, "sig15,sig18,status"},
    {State::kUp, Event::kOnce, State::kUp, "status"},
    {State::kUp, Event::kOnceAtMost, State::kUp, "status"},
    {State::kUp, Event::kPause, State::kUp, "sig19,status"},
    {State::kUp, Event::kContinue, State::kUp, "sig18,status"},
    {State::kUp, Event::kSignal, State::kUp, "sig1"},
    {State::kUp, Event::kRestart, State::kStopping, "sig15,sig18"},
    {State::kUp, Event::kExit, State::kUp, ""},
    {State::kUp, Event::kTerm, State::kStopping, "sig15,sig18,status"},
    {State::kUp, Event::kHangup, State::kUp, ""},
    {State::kUp, Event::kRunExited, State::kRestartWait, "tally,d,status,D,status"},
    {State::kUp, Event::kFinishExited, State::kUp, ""},
    {State::kUp, Event::kReady, State::kUp, "status,U"},
    {State::kUp, Event::kDeadline, State::kUp, ""},
    // stopping (down signal sent at 100 ms, KILL due at 600 ms)
    {State::kStopping, Event::kBoot, State::kStopping, ""},
    {State::kStopping, Event::kUp, State::kStopping, "status"},
    {State::kStopping, Event::kDown, State::kStopping, "sig15,sig18,status"},
    {State::kStopping, Event::kOnce, State::kStopping, "status"},
    {State::kStopping, Event::kOnceAtMost, State::kStopping, "status"},
    {State::kStopping, Event::kPause, State::kStopping, "sig19,status"},
    {State::kStopping, Event::kContinue, State::kStopping, "sig18,status"},
    {State::kStopping, Event::kSignal, State::kStopping, "sig1"},
    {State::kStopping, Event::kRestart, State::kStopping, "sig15,sig18"},
    {State::kStopping, Event::kExit, State::kStopping, ""},
    {State::kStopping, Event::kTerm, State::kStopping, "sig15,sig18,status"},
    {State::kStopping, Event::kHangup, State::kStopping, ""},
    {State::kStopping, Event::kRunExited, State::kDown, "tally,d,status,D"},
    {State::kStopping, Event::kFinishExited, State::kStopping, ""},
    {State::kStopping, Event::kReady, State::kStopping, "status,U"},
    {State::kStopping, Event::kDeadline, State::kStopping, "sig9"},
    // finishing (./finish started at 100 ms)
    {State::kFinishing, Event::kBoot, State::kFinishing, ""},
    {State::kFinishing, Event::kUp, State::kFinishing, "status"},
    {State::kFinishing, Event::kDown, State::kFinishing, "status"},
    {State::kFinishing, Event::kOnce, State::kFinishing, "status"},
    {State::kFinishing, Event::kOnceAtMost, State::kFinishing, "status"},
    {State::kFinishing, Event::kPause, State::kFinishing, ""},
    {State::kFinishing, Event::kContinue, State::kFinishing, ""},
    {State::kFinishing, Event::kSignal, State::kFinishing, ""},
    {State::kFinishing, Event::kRestart, State::kFinishing, ""},
    {State::kFinishing, Event::kExit, State::kFinishing, ""},
    {State::kFinishing, Event::kTerm, State::kFinishing, "status"},
    {State::kFinishing, Event::kHangup, State::kFinishing, ""},
    {State::kFinishing, Event::kRunExited, State::kFinishing, ""},
    {State::kFinishing, Event::kFinishExited, State::kRestartWait, "status,D,status"},
    {State::kFinishing, Event::kReady, State::kFinishing, ""},
    {State::kFinishing, Event::kDeadline, State::kFinishing, "killfinish"},
};

TEST(ServiceMachineTest, TableCoversEveryStateAndEvent) {
  bool seen[kStateCount][kEventCount] = {};
  for (const Cell& c : kTable) {
    seen[static_cast<int>(c.from)][static_cast<int>(c.event)] = true;
  }
  for (int s = 0; s < kStateCount; ++s) {
    for (int e = 0; e < kEventCount; ++e) {
      EXPECT_TRUE(seen[s][e]) << "no cell for state "
                              << StateName(static_cast<State>(s)) << " x event "
                              << EventName(static_cast<Event>(e));
    }
  }
}

TEST(ServiceMachineTest, EveryStateTimesEveryEvent) {
  for (const Cell& c : kTable) {
    ServiceMachine m = MachineIn(c.from);
    int64_t t = c.event == Event::kDeadline ? 10000 : 600;
    Actions got = m.Step(At(c.event, t, kExit1, SIGHUP));
    std::string where = std::string(StateName(c.from)) + " x " + EventName(c.event);
    EXPECT_EQ(m.state(), c.to) << where << ": got state " << StateName(m.state())
                               << ", want " << StateName(c.to);
    EXPECT_EQ(Describe(got), c.actions) << where;
  }
}

TEST(ServiceMachineTest, BootNormallyUpStartsAtOnce) {
  ServiceMachine m(MachineConfig{}, true);
  Actions a = m.Step(At(Event::kBoot, 0));
  EXPECT_EQ(Describe(a), "s,run,status,u");
  EXPECT_TRUE(m.status().want_up);
  EXPECT_EQ(m.deadline_ms(), -1) << "no timer while the service runs";
}

TEST(ServiceMachineTest, BootNormallyDownWaits) {
  ServiceMachine m(MachineConfig{}, false);
  Actions a = m.Step(At(Event::kBoot, 0));
  EXPECT_EQ(Describe(a), "s,status");
  EXPECT_FALSE(m.status().want_up);
  EXPECT_EQ(m.state(), State::kDown);
}

TEST(ServiceMachineTest, CrashAfterOneSecondRestartsAtOnce) {
  ServiceMachine m(MachineConfig{}, true);
  m.Step(At(Event::kBoot, 0));
  Actions a = m.Step(At(Event::kRunExited, 1500, kExit1));
  EXPECT_EQ(Describe(a), "tally,d,status,D,run,status,u");
  EXPECT_EQ(m.state(), State::kUp);
}

TEST(ServiceMachineTest, CrashLoopIsThrottledToOneStartPerSecond) {
  ServiceMachine m(MachineConfig{}, true);
  m.Step(At(Event::kBoot, 0));
  int starts = 1;
  int64_t now = 0;
  // A service that dies 10 ms after each start, for 3 s.
  while (now < 3000) {
    now += 10;
    Actions a = m.Step(At(Event::kRunExited, now, kExit1));
    if (a.Has(ActionKind::kSpawnRun)) ++starts;
    if (m.state() == State::kRestartWait) {
      EXPECT_GT(m.deadline_ms(), now);
      now = m.deadline_ms();
      a = m.Step(At(Event::kDeadline, now));
      ASSERT_TRUE(a.Has(ActionKind::kSpawnRun));
      ++starts;
    }
  }
  EXPECT_LE(starts, 4) << "got " << starts << " starts in 3 s, want <= 4";
  EXPECT_GE(starts, 3);
}

TEST(ServiceMachineTest, StatusFollowsTheService) {
  MachineConfig config;
  ServiceMachine m(config, true);
  m.Step(At(Event::kBoot, 0));
  m.status().pid = 42;
  m.Step(At(Event::kPause, 10));
  EXPECT_TRUE(m.status().paused);
  m.Step(At(Event::kContinue, 20));
  EXPECT_FALSE(m.status().paused);
  m.Step(At(Event::kReady, 30));
  EXPECT_TRUE(m.status().ready);
  EXPECT_EQ(m.status().ready_stamp, At(Event::kReady, 30).now);
  m.Step(At(Event::kDown, 2000));
  EXPECT_FALSE(m.status().want_up);
  m.Step(At(Event::kRunExited, 2100, SIGTERM));
  EXPECT_EQ(m.status().pid, 0u);
  EXPECT_EQ(m.status().wstat, SIGTERM);
  EXPECT_TRUE(m.status().ready) << "ready while down means really down";
  EXPECT_EQ(m.state(), State::kDown);
}

TEST(ServiceMachineTest, FinishThenRestart) {
  MachineConfig config;
  config.has_finish = true;
  ServiceMachine m(config, true);
  m.Step(At(Event::kBoot, 0));
  Actions a = m.Step(At(Event::kRunExited, 3000, kExit1));
  EXPECT_EQ(Describe(a), "tally,d,finish,status");
  EXPECT_TRUE(m.status().finishing);
  EXPECT_EQ(m.deadline_ms(), 3000 + kDefaultFinishTimeoutMs);
  a = m.Step(At(Event::kFinishExited, 3100));
  EXPECT_EQ(Describe(a), "status,D,run,status,u");
  EXPECT_FALSE(m.status().finishing);
}

TEST(ServiceMachineTest, OnceRunsOnceThenStaysDown) {
  ServiceMachine m(MachineConfig{}, false);
  m.Step(At(Event::kBoot, 0));
  Actions a = m.Step(At(Event::kOnce, 10));
  EXPECT_TRUE(a.Has(ActionKind::kSpawnRun));
  EXPECT_FALSE(m.status().want_up);
  a = m.Step(At(Event::kRunExited, 5000, 0));
  EXPECT_FALSE(a.Has(ActionKind::kSpawnRun));
  EXPECT_EQ(m.state(), State::kDown);
}

TEST(ServiceMachineTest, OnceDuringThrottleStartsAtTheDeadline) {
  ServiceMachine m(MachineConfig{}, true);
  m.Step(At(Event::kBoot, 0));
  m.Step(At(Event::kDown, 10));
  m.Step(At(Event::kRunExited, 20, SIGTERM));
  Actions a = m.Step(At(Event::kOnce, 30));
  EXPECT_EQ(m.state(), State::kRestartWait);
  a = m.Step(At(Event::kDeadline, 1000));
  EXPECT_TRUE(a.Has(ActionKind::kSpawnRun));
}

TEST(ServiceMachineTest, ExitWaitsForTheServiceToEnd) {
  ServiceMachine m(MachineConfig{}, true);
  m.Step(At(Event::kBoot, 0));
  EXPECT_FALSE(m.Step(At(Event::kExit, 10)).Has(ActionKind::kExitSupervisor));
  Actions a = m.Step(At(Event::kRunExited, 5000, 0));
  EXPECT_EQ(Describe(a), "tally,d,status,D,status,x,exit");
}

TEST(ServiceMachineTest, DownSignalFileIsUsed) {
  MachineConfig config;
  config.down_signal = SIGHUP;
  ServiceMachine m(config, true);
  m.Step(At(Event::kBoot, 0));
  Actions a = m.Step(At(Event::kDown, 10));
  EXPECT_EQ(Describe(a), "sig1,sig18,status");
  EXPECT_EQ(m.deadline_ms(), -1) << "no timeout-kill configured";
}

TEST(ServiceMachineTest, EarlyDeadlineWakeupDoesNothing) {
  MachineConfig config;
  config.timeout_kill_ms = 1000;
  ServiceMachine m(config, true);
  m.Step(At(Event::kBoot, 0));
  m.Step(At(Event::kDown, 10));
  EXPECT_EQ(Describe(m.Step(At(Event::kDeadline, 500))), "");
  EXPECT_EQ(Describe(m.Step(At(Event::kDeadline, 1010))), "sig9");
  EXPECT_EQ(m.deadline_ms(), -1);
}

}  // namespace
}  // namespace yubin::supervise
