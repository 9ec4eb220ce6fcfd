#include "lib/base/fd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace yubin {
namespace {

std::string TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/fdtest.XXXXXX";
  char* made = mkdtemp(templ.data());
  EXPECT_NE(made, nullptr);
  return templ;
}

TEST(UniqueFdTest, ClosesOnDestruction) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  { UniqueFd r(p[0]); }
  EXPECT_EQ(fcntl(p[0], F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
  close(p[1]);
}

TEST(UniqueFdTest, MoveTransfersOwnership) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  UniqueFd a(p[0]);
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(b.get(), p[0]);
  UniqueFd c;
  c = std::move(b);
  EXPECT_EQ(c.get(), p[0]);
  close(p[1]);
}

TEST(FdTest, WriteAllThenReadFull) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_TRUE(WriteAll(p[1], "hello, world").ok());
  close(p[1]);
  char buf[64];
  EXPECT_EQ(ReadFull(p[0], buf, sizeof buf), 12);
  EXPECT_EQ(std::string(buf, 12), "hello, world");
  close(p[0]);
}

TEST(FdTest, WriteAllToClosedPipeFails) {
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  Status s = WriteAll(p[1], "x");
  EXPECT_TRUE(s.temporary());
  EXPECT_EQ(s.error_number(), EPIPE);
  close(p[1]);
}

void OnAlarm(int) {}

TEST(FdTest, ReadRetryRestartsAfterSignal) {
  // A signal handler installed without SA_RESTART makes read(2) fail with
  // EINTR; ReadRetry must carry on and deliver the data written later.
  struct sigaction sa {};
  sa.sa_handler = OnAlarm;
  sigaction(SIGALRM, &sa, nullptr);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    usleep(200000);
    (void)!write(p[1], "z", 1);
    _exit(0);
  }
  struct itimerval it {};
  it.it_value.tv_usec = 50000;
  setitimer(ITIMER_REAL, &it, nullptr);
  char c = 0;
  EXPECT_EQ(ReadRetry(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'z');
  close(p[0]);
  close(p[1]);
}

TEST(FdTest, ReadSmallFileRespectsLimit) {
  std::string dir = TempDir();
  std::string path = dir + "/f";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "0123456789").ok());
  close(fd);
  Result<std::string> exact = ReadSmallFile(path.c_str(), 10);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, "0123456789");
  Result<std::string> over = ReadSmallFile(path.c_str(), 9);
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(over.status().permanent());
  Result<std::string> missing = ReadSmallFile((dir + "/none").c_str(), 9);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().error_number(), ENOENT);
}

TEST(FdTest, NonBlockingAndCloseOnExecFlags) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_TRUE(SetNonBlocking(p[0], true).ok());
  EXPECT_TRUE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  char c;
  EXPECT_EQ(ReadRetry(p[0], &c, 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  ASSERT_TRUE(SetNonBlocking(p[0], false).ok());
  EXPECT_FALSE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
  ASSERT_TRUE(SetCloseOnExec(p[1], true).ok());
  EXPECT_TRUE(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
  EXPECT_FALSE(SetNonBlocking(-1, true).ok());
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace yubin
