#include "lib/ctl/service_health.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "supervise/status_record.h"
#include "tests/harness/harness.h"

namespace yubin::ctl {
namespace {

// A service directory whose supervise/ looks like a running supervisor's:
// the ok FIFO held open for reading and a status record.
class FakeService {
 public:
  FakeService(const std::string& dir, const supervise::ServiceStatus& st, bool notification) {
    mkdir(dir.c_str(), 0755);
    mkdir((dir + "/supervise").c_str(), 0700);
    if (notification) testing::WriteFileOrDie(dir + "/notification-fd", "3\n");
    uint8_t rec[supervise::kS6StatusSize];
    supervise::PackS6Status(st, rec);
    testing::WriteFileOrDie(dir + "/supervise/status",
                            std::string(reinterpret_cast<char*>(rec), sizeof rec));
    std::string ok = dir + "/supervise/ok";
    mkfifo(ok.c_str(), 0600);
    reader_ = open(ok.c_str(), O_RDONLY | O_NONBLOCK);
  }
  ~FakeService() { close(reader_); }

 private:
  int reader_;
};

supervise::ServiceStatus Up(uint64_t pid, bool ready, int64_t since_unix) {
  supervise::ServiceStatus st;
  st.pid = pid;
  st.want_up = true;
  st.ready = ready;
  st.stamp = Tai64n::FromUnix(since_unix, 0);
  st.ready_stamp = st.stamp;
  return st;
}

TEST(ListServices, SortsAndAddsLogsSkipsDotNames) {
  std::string dir = testing::MakeTempDir("svc");
  for (const char* d : {"/send", "/send/log", "/local", "/.smtpd.new", "/smtpd", "/smtpd/log"}) {
    mkdir((dir + d).c_str(), 0755);
  }
  testing::WriteFileOrDie(dir + "/.svscan.pid", "1\n");
  std::vector<std::string> want = {"local", "send", "send/log", "smtpd", "smtpd/log"};
  EXPECT_EQ(ListServices(dir), want);
}

TEST(ReadServiceRow, UnsupervisedWhenNobodyReadsTheFifo) {
  std::string dir = testing::MakeTempDir("svc");
  mkdir((dir + "/send").c_str(), 0755);
  ServiceRow row = ReadServiceRow(dir, "send", 1000);
  EXPECT_FALSE(row.supervised);
  EXPECT_FALSE(row.healthy());
}

TEST(ReadServiceRow, HealthNeedsReadinessOnlyWithNotificationFd) {
  std::string dir = testing::MakeTempDir("svc");
  int64_t now = 2000000000;
  FakeService ready(dir + "/a", Up(11, true, now - 65), true);
  FakeService not_ready(dir + "/b", Up(12, false, now - 5), true);
  FakeService no_fd(dir + "/c", Up(13, false, now - 5), false);
  supervise::ServiceStatus down;
  down.want_up = false;
  down.stamp = Tai64n::FromUnix(now - 3, 0);
  FakeService stopped(dir + "/d", down, false);
  std::vector<ServiceRow> rows = ReadTree(dir, now);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[0].healthy());
  EXPECT_EQ(rows[0].pid, 11u);
  EXPECT_EQ(rows[0].seconds, 65);
  EXPECT_FALSE(rows[1].healthy()) << "notification-fd without readiness";
  EXPECT_TRUE(rows[2].healthy()) << "no notification-fd: up is enough";
  EXPECT_FALSE(rows[3].healthy());
  EXPECT_FALSE(AllHealthy(rows));
  std::string table = FormatStatusTable(rows);
  EXPECT_NE(table.find("\na        up     11       1m05s    yes    ok\n"), std::string::npos)
      << table;
  EXPECT_NE(table.find("not ready"), std::string::npos) << table;
  EXPECT_NE(table.find("down (svc -d)"), std::string::npos) << table;
  rows.erase(rows.begin() + 1);
  rows.pop_back();
  EXPECT_TRUE(AllHealthy(rows));
  EXPECT_FALSE(AllHealthy({}));
}

TEST(FormatDuration, Units) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(59), "59s");
  EXPECT_EQ(FormatDuration(61), "1m01s");
  EXPECT_EQ(FormatDuration(3725), "1h02m");
}

}  // namespace
}  // namespace yubin::ctl
