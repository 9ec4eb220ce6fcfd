// yubin-queue and yubin-mkroot where real root is needed: a full disk (a
// small tmpfs mounted by the test) and the root-mode queue owner.
#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

// A tmpfs mounted for one test and unmounted when it ends.
class TmpfsMount {
 public:
  explicit TmpfsMount(const std::string& options) : dir_(MakeTempDir("tmpfs")) {
    ok_ = mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~TmpfsMount() {
    if (ok_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool ok_ = false;
};

class QueueRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveRealRoot()) {
      GTEST_SKIP() << "needs real root to mount a tmpfs (run as root, "
                      "outside Bazel's sandbox: tags no-sandbox)";
    }
  }
};

void ExpectNothingVisible(const QueueRoot& root) {
  QueueSnapshot s = Snapshot(root.queue);
  EXPECT_EQ(s.queued.size(), 0u);
  EXPECT_EQ(s.areas["mess"], 0u);
  EXPECT_EQ(s.areas["intd"], 0u);
  EXPECT_EQ(s.tmp, 0u);
}

TEST_F(QueueRootTest, DiskFullIsTemporaryAndLeavesNothing) {
  TmpfsMount fs("size=256k,mode=0700");
  ASSERT_TRUE(fs.ok()) << "mount tmpfs failed";
  QueueRoot root = MakeQueueRoot(fs.dir() + "/root");
  std::string big(1 << 20, 'x');
  ProcessResult r = Inject(root, big, Envelope("a@b", {"c@d"}));
  EXPECT_EQ(r.exit_code, 53) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  ExpectNothingVisible(root);
  // Space is back once the failed injection cleaned up.
  ProcessResult small = Inject(root, "small\n", Envelope("a@b", {"c@d"}));
  EXPECT_EQ(small.exit_code, 0) << small.err;
}

TEST_F(QueueRootTest, NoInodeLeftIsTemporaryAndLeavesNothing) {
  TmpfsMount fs("size=4m,nr_inodes=2000,mode=0700");
  ASSERT_TRUE(fs.ok()) << "mount tmpfs failed";
  QueueRoot root = MakeQueueRoot(fs.dir() + "/root");
  // Use up inodes until exactly one is free: the message file gets it; the
  // link into mess/ finds none (tmpfs counts links against nr_inodes).
  std::string filler = fs.dir() + "/filler";
  ASSERT_EQ(mkdir(filler.c_str(), 0700), 0);
  struct statvfs v;
  for (int i = 0;; ++i) {
    ASSERT_EQ(statvfs(fs.dir().c_str(), &v), 0);
    if (v.f_favail <= 1) break;
    WriteFileOrDie(filler + "/" + std::to_string(i), "");
  }
  ASSERT_EQ(v.f_favail, 1u);
  ProcessResult r = Inject(root, "x\n", Envelope("a@b", {"c@d"}));
  EXPECT_EQ(r.exit_code, 53) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  ExpectNothingVisible(root);
}

TEST_F(QueueRootTest, MkrootAsRootNamesTheQueueOwner) {
  std::string root = MakeTempDir("mkroot") + "/yubin";
  ProcessResult r = RunProcess(
      {RunfilePath("cmd/yubin-mkroot/yubin-mkroot"), "--root", root, "--me",
       "mail.example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st;
  ASSERT_EQ(stat((root + "/queue/todo/0").c_str(), &st), 0);
  if (struct passwd* pw = getpwnam("yubinq")) {
    EXPECT_EQ(st.st_uid, pw->pw_uid) << "the queue belongs to yubinq";
  } else {
    EXPECT_EQ(st.st_uid, 0u);
    EXPECT_NE(r.err.find("useradd --system"), std::string::npos)
        << "got stderr " << r.err << ", want how to create yubinq";
  }
}

// A root installation makes yubin-queue set-user-id to the queue's owner.
// Its caller chooses YUBIN_ROOT, so it must write only into a real queue of
// that owner, and the crash hook must be off.
TEST_F(QueueRootTest, SetuidQueueWritesOnlyIntoItsOwnersQueue) {
  constexpr uid_t kOwner = 54321;  // the queue user
  constexpr uid_t kCaller = 54322; // an ordinary local user
  // Under /tmp: the caller must be able to reach every file it uses.
  std::string base = "/tmp/yubin-suid.XXXXXX";
  ASSERT_NE(mkdtemp(base.data()), nullptr);
  ASSERT_EQ(chmod(base.c_str(), 0755), 0);
  std::string bin = base + "/yubin-queue";
  ASSERT_EQ(RunProcess({"/bin/cp", YubinQueuePath(), bin}).exit_code, 0);
  ASSERT_EQ(chown(bin.c_str(), kOwner, kOwner), 0);
  ASSERT_EQ(chmod(bin.c_str(), 04711), 0);
  QueueRoot good = MakeQueueRoot(base + "/good");
  QueueRoot bad = MakeQueueRoot(base + "/bad");
  ASSERT_EQ(RunProcess({"/bin/chown", "-R", std::to_string(kOwner), good.queue}).exit_code, 0);
  ASSERT_EQ(RunProcess({"/bin/chown", "-R", std::to_string(kCaller), bad.queue}).exit_code, 0);
  WriteFileOrDie(base + "/msg", "Subject: x\n\nbody\n", 0644);
  WriteFileOrDie(base + "/env", Envelope("a@b.example", {"c@d.example"}), 0644);
  auto inject_as_caller = [&](const QueueRoot& root) {
    return RunShell("exec /usr/bin/setpriv --reuid=" + std::to_string(kCaller) +
                    " --regid=" + std::to_string(kCaller) +
                    " --clear-groups /usr/bin/env YUBIN_ROOT=" + root.root +
                    " YUBIN_QUEUE_CRASH_AT=3 " + bin + " <" + base + "/msg 1<" +
                    base + "/env");
  };

  ProcessResult into_bad = inject_as_caller(bad);
  EXPECT_EQ(into_bad.exit_code, 61) << into_bad.err;
  EXPECT_NE(into_bad.err.find("refusing to write there set-user-id"), std::string::npos)
      << into_bad.err;
  ExpectNothingVisible(bad);

  ProcessResult into_good = inject_as_caller(good);
  EXPECT_EQ(into_good.exit_code, 0) << "the crash hook must be off: " << into_good.err;
  QueueSnapshot snap = Snapshot(good.queue);
  ASSERT_EQ(snap.queued.size(), 1u);
  struct stat st;
  std::string mess = good.queue + "/mess/" + std::to_string(snap.queued[0].id % 101) +
                     "/" + std::to_string(snap.queued[0].id);
  ASSERT_EQ(stat(mess.c_str(), &st), 0) << mess;
  EXPECT_EQ(st.st_uid, kOwner) << "queue files belong to the queue user";
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  RunProcess({"/bin/rm", "-rf", base});
}

}  // namespace
}  // namespace yubin::testing
