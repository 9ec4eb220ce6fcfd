#include "lib/queue/send_control.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using yubin::testing::MakeTempDir;
using yubin::testing::WriteFileOrDie;

TEST(SendControl, Defaults) {
  std::string root = MakeTempDir("root");
  mkdir((root + "/control").c_str(), 0755);
  WriteFileOrDie(root + "/control/me", "mx.example.com\n");
  Result<SendControl> c = ReadSendControl(root);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->concurrency_local, 10u);
  EXPECT_EQ(c->concurrency_remote, 20u);
  EXPECT_EQ(c->queue_lifetime, 604800);
  EXPECT_EQ(c->bounce.me, "mx.example.com");
  EXPECT_EQ(c->bounce.bouncefrom, "MAILER-DAEMON");
  EXPECT_EQ(c->bounce.bouncehost, "mx.example.com");
  EXPECT_EQ(c->bounce.doublebounceto, "postmaster");
  EXPECT_EQ(c->bounce.doublebouncehost, "mx.example.com");
  EXPECT_TRUE(SplitRecipient(c->rules, "a@MX.example.com").local) << "locals defaults to me";
  EXPECT_FALSE(SplitRecipient(c->rules, "a@example.com").local);
}

TEST(SendControl, ValuesAndErrors) {
  std::string root = MakeTempDir("root");
  mkdir((root + "/control").c_str(), 0755);
  WriteFileOrDie(root + "/control/me", "mx.example.com\n");
  WriteFileOrDie(root + "/control/locals", "a.org\nb.org\n");
  WriteFileOrDie(root + "/control/virtualdomains", "v.org:vv\n");
  WriteFileOrDie(root + "/control/concurrencylocal", "3\n");
  WriteFileOrDie(root + "/control/concurrencyremote", "0\n");
  WriteFileOrDie(root + "/control/queuelifetime", "3600\n");
  WriteFileOrDie(root + "/control/doublebounceto", "ops\n");
  Result<SendControl> c = ReadSendControl(root);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->concurrency_local, 3u);
  EXPECT_EQ(c->concurrency_remote, 1u) << "0 counts as 1";
  EXPECT_EQ(c->queue_lifetime, 3600);
  EXPECT_EQ(c->bounce.doublebounceto, "ops");
  EXPECT_TRUE(SplitRecipient(c->rules, "x@b.org").local);
  EXPECT_FALSE(SplitRecipient(c->rules, "x@mx.example.com").local)
      << "an explicit locals replaces the default";
  EXPECT_EQ(SplitRecipient(c->rules, "x@v.org").local_part, "vv-x");
  WriteFileOrDie(root + "/control/concurrencyremote", "many\n");
  EXPECT_FALSE(ReadSendControl(root).ok());
  WriteFileOrDie(root + "/control/concurrencyremote", "5\n");
  WriteFileOrDie(root + "/control/concurrencylocal", "many\n");
  EXPECT_FALSE(ReadSendControl(root).ok());
}

}  // namespace
}  // namespace yubin::queue
