#include "lib/dotqmail/loop_check.h"

#include <unistd.h>

#include "gtest/gtest.h"
#include "lib/deliver/test_message.h"

namespace yubin::dotqmail {
namespace {

bool Loops(const std::string& message, const std::string& address) {
  int fd = deliver::testing::MessageFd(message);
  Result<bool> r = HasDeliveredTo(fd, address);
  ::close(fd);
  EXPECT_TRUE(r.ok());
  return r.ok() && *r;
}

TEST(LoopCheckTest, FindsOwnLineInHeaderOnly) {
  EXPECT_TRUE(Loops("Delivered-To: kim@example.org\nSubject: x\n\nbody\n", "kim@example.org"));
  EXPECT_TRUE(Loops("X: y\ndelivered-to:   KIM@Example.ORG \r\n\n", "kim@example.org"));
  EXPECT_FALSE(Loops("Delivered-To: other@example.org\n\n", "kim@example.org"));
  EXPECT_FALSE(Loops("Subject: x\n\nDelivered-To: kim@example.org\n", "kim@example.org"));
  EXPECT_FALSE(Loops("Delivered-To: kim@example.org.evil\n\n", "kim@example.org"));
  EXPECT_FALSE(Loops("", "kim@example.org"));
  EXPECT_TRUE(Loops("X: " + std::string(20000, 'a') + "\nDelivered-To: kim@example.org",
                    "kim@example.org"));
}

}  // namespace
}  // namespace yubin::dotqmail
