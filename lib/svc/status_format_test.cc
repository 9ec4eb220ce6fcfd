#include "lib/svc/status_format.h"

#include <csignal>

#include <gtest/gtest.h>

namespace yubin::svc {
namespace {

using supervise::ServiceStatus;
using supervise::StatusLayout;

constexpr int64_t kNow = 1'800'000'000;

ServiceView View(StatusLayout layout, uint64_t pid, int64_t age) {
  ServiceView v;
  v.supervised = true;
  v.status.layout = layout;
  v.status.pid = pid;
  v.status.stamp = Tai64n::FromUnix(kNow - age, 0);
  v.status.want_up = pid != 0;
  return v;
}

TEST(FormatStatusLineTest, NotRunning) {
  ServiceView v;
  EXPECT_EQ(FormatStatusLine("/s/x", v, kNow), "/s/x: supervise not running");
  EXPECT_EQ(FormatStatusJson("/s/x", v, kNow), "{\"dir\":\"/s/x\",\"supervised\":false}");
}

TEST(FormatStatusLineTest, DaemontoolsLayoutEveryFlag) {
  for (StatusLayout layout : {StatusLayout::kDaemontools, StatusLayout::kS6}) {
    ServiceView up = View(layout, 123, 45);
    EXPECT_EQ(FormatStatusLine("d", up, kNow), "d: up (pid 123) 45 seconds");
    up.normally_up = false;
    up.status.paused = true;
    up.status.want_up = false;
    EXPECT_EQ(FormatStatusLine("d", up, kNow),
              "d: up (pid 123) 45 seconds, normally down, paused, want down");

    ServiceView down = View(layout, 0, 7);
    EXPECT_EQ(FormatStatusLine("d", down, kNow), "d: down 7 seconds, normally up");
    down.status.want_up = true;
    EXPECT_EQ(FormatStatusLine("d", down, kNow),
              "d: down 7 seconds, normally up, want up");
    down.normally_up = false;
    down.status.paused = true;  // daemontools shows paused only when up
    EXPECT_EQ(FormatStatusLine("d", down, kNow), "d: down 7 seconds, want up");
  }
}

TEST(FormatStatusLineTest, DaemontoolsWantUnsetShowsNoWant) {
  ServiceView v = View(StatusLayout::kDaemontools, 9, 1);
  v.status.want_known = false;  // after "svc -o": want byte 0
  v.status.want_up = false;
  v.normally_up = false;
  EXPECT_EQ(FormatStatusLine("d", v, kNow), "d: up (pid 9) 1 seconds, normally down");
}

TEST(FormatStatusLineTest, S6ReadyAndFinishing) {
  ServiceView v = View(StatusLayout::kS6, 77, 10);
  v.status.ready = true;
  v.status.ready_stamp = Tai64n::FromUnix(kNow - 8, 0);
  EXPECT_EQ(FormatStatusLine("s", v, kNow), "s: up (pid 77) 10 seconds, ready 8 seconds");
  ServiceView d = View(StatusLayout::kS6, 0, 3);
  d.status.finishing = true;
  EXPECT_EQ(FormatStatusLine("s", d, kNow), "s: down 3 seconds, normally up, finishing");
  // A daemontools record never claims readiness even if the flag were set.
  ServiceView dt = View(StatusLayout::kDaemontools, 5, 2);
  dt.status.ready = true;
  EXPECT_EQ(FormatStatusLine("t", dt, kNow), "t: up (pid 5) 2 seconds");
}

TEST(FormatStatusLineTest, StampInTheFutureCountsAsZero) {
  ServiceView v = View(StatusLayout::kS6, 1, -50);
  EXPECT_EQ(FormatStatusLine("s", v, kNow), "s: up (pid 1) 0 seconds");
}

TEST(FormatStatusJsonTest, S6UpReady) {
  ServiceView v = View(StatusLayout::kS6, 77, 10);
  v.status.ready = true;
  v.status.ready_stamp = Tai64n::FromUnix(kNow - 8, 0);
  v.notification_fd = true;
  EXPECT_EQ(FormatStatusJson("s", v, kNow),
            "{\"dir\":\"s\",\"supervised\":true,\"layout\":\"s6\",\"up\":true,"
            "\"pid\":77,\"seconds\":10,\"paused\":false,\"want\":\"up\","
            "\"normally_up\":true,\"notification_fd\":true,\"ready\":true,"
            "\"ready_seconds\":8,\"finishing\":false,\"exit_code\":0,"
            "\"signal\":null}");
}

TEST(FormatStatusJsonTest, S6ExitCodeAndSignal) {
  ServiceView v = View(StatusLayout::kS6, 0, 4);
  v.status.wstat = 3 << 8;  // exit 3
  std::string j = FormatStatusJson("s", v, kNow);
  EXPECT_NE(j.find("\"exit_code\":3,\"signal\":null"), std::string::npos) << j;
  EXPECT_NE(j.find("\"up\":false,\"pid\":0,\"seconds\":4"), std::string::npos) << j;
  EXPECT_NE(j.find("\"want\":\"down\""), std::string::npos) << j;
  v.status.wstat = SIGKILL;
  j = FormatStatusJson("s", v, kNow);
  EXPECT_NE(j.find("\"exit_code\":null,\"signal\":\"SIGKILL\""), std::string::npos) << j;
  v.status.paused = true;
  v.status.finishing = true;
  j = FormatStatusJson("s", v, kNow);
  EXPECT_NE(j.find("\"paused\":true"), std::string::npos) << j;
  EXPECT_NE(j.find("\"finishing\":true"), std::string::npos) << j;
}

TEST(FormatStatusJsonTest, DaemontoolsUnknownsAreNull) {
  ServiceView v = View(StatusLayout::kDaemontools, 12, 1);
  v.status.want_known = false;
  v.normally_up = false;
  EXPECT_EQ(FormatStatusJson("d", v, kNow),
            "{\"dir\":\"d\",\"supervised\":true,\"layout\":\"daemontools\","
            "\"up\":true,\"pid\":12,\"seconds\":1,\"paused\":false,\"want\":null,"
            "\"normally_up\":false,\"notification_fd\":false,\"ready\":null,"
            "\"ready_seconds\":null,\"finishing\":null,\"exit_code\":null,"
            "\"signal\":null}");
}

TEST(JsonStringTest, Escapes) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\u000a\\u0001\"");
  EXPECT_EQ(JsonString("日本"), "\"日本\"");
}

TEST(SignalNameTest, Names) {
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGHUP), "SIGHUP");
}

TEST(ServiceHealthyTest, Rules) {
  ServiceView v = View(StatusLayout::kS6, 1, 1);
  EXPECT_TRUE(ServiceHealthy(v));
  v.notification_fd = true;
  EXPECT_FALSE(ServiceHealthy(v));
  v.status.ready = true;
  EXPECT_TRUE(ServiceHealthy(v));
  ServiceView down = View(StatusLayout::kS6, 0, 1);
  EXPECT_FALSE(ServiceHealthy(down));
  EXPECT_FALSE(ServiceHealthy(ServiceView{}));
  ServiceView dt = View(StatusLayout::kDaemontools, 3, 1);
  EXPECT_TRUE(ServiceHealthy(dt));
  dt.notification_fd = true;
  EXPECT_FALSE(ServiceHealthy(dt));
}

}  // namespace
}  // namespace yubin::svc
