#include "lib/svc/event_fifo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace yubin::svc {
namespace {

std::string TempServiceDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(tmp ? tmp : "/tmp") + "/svcXXXXXX";
  char* made = mkdtemp(templ.data());
  EXPECT_NE(made, nullptr);
  return templ;
}

TEST(EventFifoTest, NameHasTheShapeSupervisorsAccept) {
  std::string name = EventFifo::MakeName();
  // "ftrig1:@" + 24 hex + ":" + 6 letters or digits: 39 characters.
  ASSERT_EQ(name.size(), 39u) << name;
  EXPECT_EQ(name.substr(0, 8), "ftrig1:@");
  EXPECT_EQ(name.find_first_not_of("0123456789abcdef", 8), 32u) << name;
  EXPECT_EQ(name[32], ':');
  for (char c : name.substr(33)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << name;
  EXPECT_NE(EventFifo::MakeName(), name);
}

TEST(EventFifoTest, SupervisorWritesReachTheSubscriber) {
  std::string dir = TempServiceDir();
  ASSERT_EQ(mkdir((dir + "/event").c_str(), 0700), 0);
  Result<EventFifo> sub = EventFifo::Subscribe(dir);
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  std::string path = sub->path();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Result<std::string> none = sub->ReadEvents();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");

  // What a supervisor does: open O_WRONLY|O_NONBLOCK, write one byte each.
  int w = open(path.c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(w, 0);
  ASSERT_EQ(write(w, "u", 1), 1);
  ASSERT_EQ(write(w, "U", 1), 1);
  close(w);
  Result<std::string> got = sub->ReadEvents();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "uU");
  // The writer closing does not end the subscription (no EOF spin).
  Result<std::string> after = sub->ReadEvents();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, "");
}

TEST(EventFifoTest, UnsubscribesOnDestruction) {
  std::string dir = TempServiceDir();
  ASSERT_EQ(mkdir((dir + "/event").c_str(), 0700), 0);
  std::string path;
  {
    Result<EventFifo> sub = EventFifo::Subscribe(dir);
    ASSERT_TRUE(sub.ok());
    path = sub->path();
    EventFifo moved(std::move(*sub));
    EXPECT_EQ(access(path.c_str(), F_OK), 0);
  }
  EXPECT_NE(access(path.c_str(), F_OK), 0) << path << " still there";
}

TEST(EventFifoTest, NoEventDirectoryIsAnError) {
  std::string dir = TempServiceDir();
  Result<EventFifo> sub = EventFifo::Subscribe(dir);
  ASSERT_FALSE(sub.ok());
  EXPECT_TRUE(sub.status().temporary());
}

}  // namespace
}  // namespace yubin::svc
