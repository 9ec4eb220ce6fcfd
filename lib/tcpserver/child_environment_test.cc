#include "lib/tcpserver/child_environment.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace yubin::tcpserver {
namespace {

TEST(ChildEnvironmentTest, SetReplacesUnsetRemoves) {
  char a[] = "PATH=/bin", b[] = "TCPREMOTEINFO=stale", c[] = "X=1";
  char* base[] = {a, b, c, nullptr};
  ChildEnvironment env(base);
  env.Set("X", "2");
  env.Set("NEW", "");
  env.Unset("TCPREMOTEINFO");
  env.Unset("ABSENT");
  EXPECT_EQ(env.entries(),
            (std::vector<std::string>{"PATH=/bin", "X=2", "NEW="}));
  EXPECT_EQ(env.Get("NEW").value_or("none"), "");
  EXPECT_FALSE(env.Get("TCPREMOTEINFO"));
  EXPECT_FALSE(env.Get("PAT"));  // a prefix of a name is not the name
  std::vector<char*> p = env.Pointers();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_STREQ(p[1], "X=2");
  EXPECT_EQ(p[3], nullptr);
}

TEST(ResolveProgramTest, LikeExecvp) {
  int error = 0;
  EXPECT_EQ(ResolveProgram("sh", "/nonexistent:/bin", &error), "/bin/sh");
  EXPECT_EQ(ResolveProgram("./x", "/bin", &error), "./x");
  EXPECT_EQ(ResolveProgram("no-such-program-here", "/bin:/usr/bin", &error), "");
  EXPECT_EQ(error, ENOENT);
}

}  // namespace
}  // namespace yubin::tcpserver
