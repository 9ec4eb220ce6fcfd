// yubin's svc, svstat and svok against daemontools' real supervise, checked
// with its 18-byte status file and daemontools' own svstat.
#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/supervised_dir.h"

namespace yubin::testing {
namespace {

using supervise::ServiceStatus;
using supervise::StatusLayout;

class SvcDaemontoolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveDaemontools()) {
      GTEST_SKIP() << "daemontools is not installed (apt-get install daemontools)";
    }
  }
};

// Our svstat prints exactly what daemontools' svstat prints (retried: a
// second may tick between the two runs).
void ExpectSameAsDaemontoolsSvstat(const std::string& dir) {
  std::string ours, theirs;
  bool same = WaitUntil(
      [&] {
        ours = RunProcess({OurSvstat(), dir}).out;
        theirs = RunProcess({kDaemontoolsSvstat, dir}).out;
        return ours == theirs;
      },
      5s);
  EXPECT_TRUE(same) << "got '" << ours << "', want (daemontools svstat) '" << theirs << "'";
}

TEST_F(SvcDaemontoolsTest, DownUpOncePauseContinue) {
  SupervisedDir sv(Supervisor::kDaemontools, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  EXPECT_EQ(sv.Status().layout, StatusLayout::kDaemontools);
  ExpectSameAsDaemontoolsSvstat(sv.dir());

  ProcessResult r = RunProcess({OurSvc(), "-d", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor(IsDown)) << "svc -d: still up";
  ExpectSameAsDaemontoolsSvstat(sv.dir());

  // With a down file: "normally down" while up.
  WriteFileOrDie(sv.dir() + "/down", "");
  r = RunProcess({OurSvc(), "-u", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor(IsUp));
  ExpectSameAsDaemontoolsSvstat(sv.dir());

  r = RunProcess({OurSvc(), "-p", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return st.paused; }));
  ExpectSameAsDaemontoolsSvstat(sv.dir());
  EXPECT_NE(RunProcess({OurSvstat(), sv.dir()}).out.find(", paused"), std::string::npos);

  r = RunProcess({OurSvc(), "-c", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return !st.paused; }));

  // -d then -o: runs once; -k ends it and it stays down.
  r = RunProcess({OurSvc(), "-d", sv.dir()});
  ASSERT_TRUE(sv.WaitFor(IsDown));
  r = RunProcess({OurSvc(), "-o", sv.dir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(sv.WaitFor(IsUp));
  ExpectSameAsDaemontoolsSvstat(sv.dir());
  r = RunProcess({OurSvc(), "-k", sv.dir()});
  ASSERT_TRUE(sv.WaitFor(IsDown)) << "svc -o service restarted after -k";
  ExpectSameAsDaemontoolsSvstat(sv.dir());

  // "want up" while down: -u on a service whose run keeps failing is hard
  // to hold still, so check the JSON of the plain down state instead.
  ProcessResult j = RunProcess({OurSvstat(), "-j", sv.dir()});
  EXPECT_NE(j.out.find("\"layout\":\"daemontools\",\"up\":false"), std::string::npos)
      << j.out;
  EXPECT_NE(j.out.find("\"ready\":null"), std::string::npos) << j.out;
}

TEST_F(SvcDaemontoolsTest, WaitNeedsAnEventDirectory) {
  SupervisedDir sv(Supervisor::kDaemontools, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  uint64_t pid = sv.Status().pid;
  ProcessResult r = RunProcess({OurSvc(), "-wd", "-d", sv.dir()});
  EXPECT_EQ(r.exit_code, 100) << r.err;
  EXPECT_NE(r.err.find("no event/ directory"), std::string::npos) << r.err;
  // Nothing was sent.
  EXPECT_EQ(sv.Status().pid, pid);
}

TEST_F(SvcDaemontoolsTest, SvokAndCheck) {
  SupervisedDir sv(Supervisor::kDaemontools, "exec sleep 1000\n");
  ASSERT_TRUE(sv.Start());
  ASSERT_TRUE(sv.WaitFor(IsUp));
  EXPECT_EQ(RunProcess({OurSvok(), sv.dir()}).exit_code, 0);
  EXPECT_EQ(RunProcess({OurSvstat(), "-c", sv.dir()}).exit_code, 0);
  // daemontools records no readiness: with notification-fd it cannot pass.
  WriteFileOrDie(sv.dir() + "/notification-fd", "3\n");
  EXPECT_EQ(RunProcess({OurSvstat(), "-c", sv.dir()}).exit_code, 1);
  ASSERT_TRUE(sv.Stop());
  EXPECT_EQ(RunProcess({OurSvok(), sv.dir()}).exit_code, 100);
  EXPECT_EQ(RunProcess({"/usr/bin/svok", sv.dir()}).exit_code, 100);
  ProcessResult r = RunProcess({OurSvc(), "-u", sv.dir()});
  EXPECT_EQ(r.exit_code, 102) << r.err;
  EXPECT_NE(r.err.find("supervise not running"), std::string::npos) << r.err;
  EXPECT_EQ(RunProcess({OurSvstat(), sv.dir()}).out, sv.dir() + ": supervise not running\n");
}

}  // namespace
}  // namespace yubin::testing
