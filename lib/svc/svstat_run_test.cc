#include "lib/svc/svstat_run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "supervise/status_record.h"

namespace yubin::svc {
namespace {

// A service directory whose supervise/control FIFO this test holds open for
// reading, as a live supervisor would.
class FakeServiceDir {
 public:
  FakeServiceDir() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/svstatXXXXXX";
    EXPECT_NE(mkdtemp(dir_.data()), nullptr);
    EXPECT_EQ(mkdir((dir_ + "/supervise").c_str(), 0700), 0);
    EXPECT_EQ(mkfifo((dir_ + "/supervise/control").c_str(), 0600), 0);
  }
  ~FakeServiceDir() {
    if (reader_ >= 0) close(reader_);
  }
  void Listen() {
    reader_ = open((dir_ + "/supervise/control").c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader_, 0);
  }
  void WriteStatus(const std::string& bytes) {
    std::ofstream(dir_ + "/supervise/status", std::ios::binary) << bytes;
  }
  void Touch(const std::string& name) { std::ofstream(dir_ + "/" + name) << "3\n"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int reader_ = -1;
};

std::string S6Record(uint64_t pid, bool ready) {
  supervise::ServiceStatus st;
  st.pid = pid;
  st.want_up = true;
  st.ready = ready;
  st.stamp = Tai64n::Now();
  st.ready_stamp = st.stamp;
  uint8_t rec[supervise::kS6StatusSize];
  supervise::PackS6Status(st, rec);
  return std::string(reinterpret_cast<char*>(rec), sizeof rec);
}

TEST(ExamineServiceTest, NobodyListeningIsNotRunning) {
  FakeServiceDir d;
  d.WriteStatus(S6Record(5, false));
  Result<ServiceView> v = ExamineService(d.dir());
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_FALSE(v->supervised);
}

TEST(ExamineServiceTest, ReadsStatusAndFiles) {
  FakeServiceDir d;
  d.Listen();
  d.WriteStatus(S6Record(5, true));
  d.Touch("down");
  d.Touch("notification-fd");
  Result<ServiceView> v = ExamineService(d.dir());
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(v->supervised);
  EXPECT_EQ(v->status.pid, 5u);
  EXPECT_TRUE(v->status.ready);
  EXPECT_FALSE(v->normally_up);
  EXPECT_TRUE(v->notification_fd);
  EXPECT_TRUE(ServiceHealthy(*v));
}

TEST(ExamineServiceTest, BadStatusSizeIsAnError) {
  FakeServiceDir d;
  d.Listen();
  d.WriteStatus("short");
  Result<ServiceView> v = ExamineService(d.dir());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("unknown status layout"), std::string::npos)
      << v.status().message();
}

TEST(ExamineServiceTest, MissingDirectoryIsTemporary) {
  Result<ServiceView> v = ExamineService("/nonexistent/service/dir");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().temporary());
  EXPECT_EQ(RunSvok("/nonexistent/service/dir"), 111);
}

TEST(RunSvokTest, RunningAndNot) {
  FakeServiceDir d;
  EXPECT_EQ(RunSvok(d.dir()), 100);
  d.Listen();
  EXPECT_EQ(RunSvok(d.dir()), 0);
}

}  // namespace
}  // namespace yubin::svc
