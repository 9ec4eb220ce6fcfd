#include "lib/svc/wait_condition.h"

#include <gtest/gtest.h>

namespace yubin::svc {
namespace {

using supervise::ServiceStatus;

ServiceStatus Up(bool ready) {
  ServiceStatus st;
  st.pid = 42;
  st.ready = ready;
  st.want_up = true;
  return st;
}

ServiceStatus Down(bool finishing) {
  ServiceStatus st;
  st.finishing = finishing;
  return st;
}

TEST(WaitConditionTest, StartChecksTheCurrentState) {
  struct Case {
    WaitFor wait;
    ServiceStatus st;
    bool want;
  };
  const Case cases[] = {
      {WaitFor::kUp, Up(false), true},          {WaitFor::kUp, Down(false), false},
      {WaitFor::kReady, Up(true), true},        {WaitFor::kReady, Up(false), false},
      {WaitFor::kReady, Down(false), false},    {WaitFor::kDown, Down(true), true},
      {WaitFor::kDown, Up(true), false},        {WaitFor::kReallyDown, Down(false), true},
      {WaitFor::kReallyDown, Down(true), false}, {WaitFor::kReallyDown, Up(false), false},
      {WaitFor::kRestart, Down(false), false},  {WaitFor::kRestart, Up(true), false},
      {WaitFor::kRestartReady, Up(true), false},
  };
  for (const Case& c : cases) {
    WaitCondition cond(c.wait);
    EXPECT_EQ(cond.Start(c.st), c.want)
        << "wait -w" << WaitLetter(c.wait) << " pid " << c.st.pid;
  }
}

// Feeds the events one by one; returns the index of the event that
// satisfied the wait, or -1.
int SatisfiedAt(WaitFor wait, const ServiceStatus& st, const std::string& events) {
  WaitCondition cond(wait);
  if (cond.Start(st)) return 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (cond.OnEvent(events[i])) return static_cast<int>(i) + 1;
  }
  return -1;
}

TEST(WaitConditionTest, EveryWaitAgainstEveryEvent) {
  // Each wait, from a state where it does not hold yet, against each single
  // event: only its own event satisfies it.
  const std::pair<WaitFor, char> own[] = {
      {WaitFor::kUp, 'u'},   {WaitFor::kReady, 'U'},      {WaitFor::kDown, 'd'},
      {WaitFor::kReallyDown, 'D'},
  };
  for (const auto& [wait, event] : own) {
    ServiceStatus from = (wait == WaitFor::kUp || wait == WaitFor::kReady)
                             ? Down(false)
                             : Up(false);
    for (char e : std::string("uUdDsxO?")) {
      int got = SatisfiedAt(wait, from, std::string(1, e));
      EXPECT_EQ(got, e == event ? 1 : -1)
          << "wait -w" << WaitLetter(wait) << " event " << e;
    }
  }
}

TEST(WaitConditionTest, RestartNeedsDownThenUp) {
  EXPECT_EQ(SatisfiedAt(WaitFor::kRestart, Up(false), "u"), -1);
  EXPECT_EQ(SatisfiedAt(WaitFor::kRestart, Up(false), "dDu"), 3);
  EXPECT_EQ(SatisfiedAt(WaitFor::kRestart, Down(false), "u"), 1);
  EXPECT_EQ(SatisfiedAt(WaitFor::kRestartReady, Up(true), "duU"), 3);
  EXPECT_EQ(SatisfiedAt(WaitFor::kRestartReady, Up(true), "Uud"), -1);
}

TEST(WaitConditionTest, SupervisorExitIsReported) {
  WaitCondition cond(WaitFor::kUp);
  EXPECT_FALSE(cond.Start(Down(false)));
  EXPECT_FALSE(cond.OnEvent('x'));
  EXPECT_TRUE(cond.supervisor_gone());
  EXPECT_FALSE(cond.satisfied());
}

TEST(WaitConditionTest, StaysSatisfied) {
  WaitCondition cond(WaitFor::kDown);
  EXPECT_TRUE(cond.Start(Down(false)));
  EXPECT_TRUE(cond.OnEvent('u'));
  EXPECT_TRUE(cond.satisfied());
}

}  // namespace
}  // namespace yubin::svc
