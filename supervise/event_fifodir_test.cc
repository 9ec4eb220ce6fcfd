#include "supervise/event_fifodir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace yubin::supervise {
namespace {

std::string TempDir() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string d = std::string(tmp != nullptr ? tmp : "/tmp") + "/evXXXXXX";
  if (mkdtemp(d.data()) == nullptr) std::abort();
  return d;
}

TEST(EventFifodirTest, CreatesWithS6Mode) {
  std::string dir = TempDir() + "/event";
  ASSERT_TRUE(CreateEventFifodir(dir.c_str()).ok());
  ASSERT_TRUE(CreateEventFifodir(dir.c_str()).ok()) << "second time: exists";
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 03730u);
}

TEST(EventFifodirTest, EverySubscriberGetsTheByte) {
  std::string dir = TempDir() + "/event";
  ASSERT_TRUE(CreateEventFifodir(dir.c_str()).ok());
  std::string a = dir + "/ftrig1:@4000000000000000:a";
  std::string b = dir + "/ftrig1:@4000000000000000:b";
  ASSERT_EQ(mkfifo(a.c_str(), 0600), 0);
  ASSERT_EQ(mkfifo(b.c_str(), 0600), 0);
  int ra = open(a.c_str(), O_RDONLY | O_NONBLOCK);
  int rb = open(b.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(ra, 0);
  ASSERT_GE(rb, 0);
  NotifyEventFifodir(dir.c_str(), 'u');
  NotifyEventFifodir(dir.c_str(), 'U');
  char buf[8];
  EXPECT_EQ(read(ra, buf, sizeof buf), 2);
  EXPECT_EQ(std::string(buf, 2), "uU");
  EXPECT_EQ(read(rb, buf, sizeof buf), 2);
  close(ra);
  close(rb);
}

TEST(EventFifodirTest, StaleFifoIsRemovedOthersLeftAlone) {
  std::string dir = TempDir() + "/event";
  ASSERT_TRUE(CreateEventFifodir(dir.c_str()).ok());
  std::string stale = dir + "/ftrig1:@4000000000000000:gone";
  std::string other = dir + "/ftrig1test";
  std::string file = dir + "/ftrig1:@4000000000000000:file";
  ASSERT_EQ(mkfifo(stale.c_str(), 0600), 0);
  ASSERT_EQ(mkfifo(other.c_str(), 0600), 0);
  int fd = open(file.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  NotifyEventFifodir(dir.c_str(), 'd');
  EXPECT_NE(access(stale.c_str(), F_OK), 0) << "FIFO without a reader kept";
  EXPECT_EQ(access(other.c_str(), F_OK), 0) << "name without ftrig1: touched";
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0) << "a regular file must not get event bytes";
}

}  // namespace
}  // namespace yubin::supervise
