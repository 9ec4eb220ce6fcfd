#include "lib/base/status.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "lib/base/fatal.h"

namespace yubin {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::Permanent("odd number");
  return n / 2;
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(ExitCodeFor(s), 0);
}

TEST(StatusTest, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(Status::Permanent("bad")), 100);
  EXPECT_EQ(ExitCodeFor(Status::Temporary("later")), 111);
  EXPECT_EQ(ExitCodeFor(Status::FromErrno("open", ENOENT)), 111);
}

TEST(StatusTest, FromErrnoMessage) {
  Status s = Status::FromErrno("open control/me", ENOENT);
  EXPECT_TRUE(s.temporary());
  EXPECT_EQ(s.error_number(), ENOENT);
  EXPECT_EQ(s.message(),
            std::string("open control/me: ") + std::strerror(ENOENT));
}

TEST(StatusTest, WrapKeepsKindAndErrno) {
  Status s = Status::FromErrno("read", EIO).Wrap("queue/mess/1");
  EXPECT_TRUE(s.temporary());
  EXPECT_EQ(s.error_number(), EIO);
  EXPECT_EQ(s.message().rfind("queue/mess/1: read: ", 0), 0u) << s.message();
  EXPECT_TRUE(Status::Ok().Wrap("x").ok());
}

TEST(ResultTest, ValueAndError) {
  Result<int> good = Half(10);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().permanent());
  EXPECT_EQ(bad.status().message(), "odd number");
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> bad = Half(3);
  EXPECT_DEATH((void)bad.value(), "");
}

// Runs fn in a child with stderr on a pipe; returns the exit code and output.
std::pair<int, std::string> RunChild(void (*fn)()) {
  int p[2];
  EXPECT_EQ(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 2);
    close(p[0]);
    fn();
    _exit(0);
  }
  close(p[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) out.append(buf, n);
  close(p[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  return {WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, out};
}

TEST(FatalTest, FatalErrnoPrintsAndExits111) {
  auto [code, out] = RunChild([] {
    SetProgramName("/usr/bin/yubin-test");
    errno = ENOENT;
    FatalErrno("unable to open control/me");
  });
  EXPECT_EQ(code, 111);
  EXPECT_EQ(out, std::string("yubin-test: fatal: unable to open control/me: ") +
                     std::strerror(ENOENT) + "\n");
}

TEST(FatalTest, UsageExits100) {
  auto [code, out] = RunChild([] {
    SetProgramName("svc");
    Usage("svc [-udopchaitkx] dir ...");
  });
  EXPECT_EQ(code, 100);
  EXPECT_EQ(out, "svc: usage: svc [-udopchaitkx] dir ...\n");
}

TEST(FatalTest, ExitWithMapsStatus) {
  auto [code, out] = RunChild([] {
    SetProgramName("x");
    _exit(ExitWith(Status::Permanent("bad address")));
  });
  EXPECT_EQ(code, 100);
  EXPECT_EQ(out, "x: fatal: bad address\n");
}

}  // namespace
}  // namespace yubin
