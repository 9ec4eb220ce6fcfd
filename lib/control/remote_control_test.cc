#include "lib/control/remote_control.h"

#include <sys/stat.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "lib/base/durable_file.h"

namespace yubin::control {
namespace {

std::string FreshDir(const char* name) {
  std::string dir = std::string(getenv("TEST_TMPDIR")) + "/" + name;
  mkdir(dir.c_str(), 0755);
  return dir;
}

void Put(const std::string& dir, const char* file, const char* text) {
  ASSERT_TRUE(WriteFileDurably(dir + "/" + file, text, 0644).ok());
}

TEST(LoadRemoteControl, Defaults) {
  std::string dir = FreshDir("defaults");
  Result<RemoteControl> c = LoadRemoteControl(dir, "host.example");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->me, "host.example");
  EXPECT_EQ(c->helohost, "host.example");
  EXPECT_EQ(c->timeout_connect, 60u);
  EXPECT_EQ(c->timeout_remote, 1200u);
  EXPECT_TRUE(c->dnsservers.empty());
  EXPECT_TRUE(c->outgoingip.empty());
  EXPECT_TRUE(c->IsOurName("HOST.example"));
  EXPECT_FALSE(c->IsOurName("other.example"));
}

TEST(LoadRemoteControl, Files) {
  std::string dir = FreshDir("files");
  Put(dir, "me", "me.example\n");
  Put(dir, "helohost", "helo.example\n");
  Put(dir, "locals", "local.example\nMe.example\n");
  Put(dir, "timeoutconnect", "3\n");
  Put(dir, "timeoutremote", "0\n");
  Put(dir, "outgoingip", "127.0.0.1\n");
  Put(dir, "dnsservers", "127.0.0.1:5300\n");
  Put(dir, "smtproutes", "x.example:relay.example:26\n");
  Result<RemoteControl> c = LoadRemoteControl(dir, "ignored");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->helohost, "helo.example");
  EXPECT_EQ(c->timeout_connect, 3u);
  EXPECT_EQ(c->timeout_remote, 1200u) << "0 means the default";
  EXPECT_EQ(c->outgoingip, "127.0.0.1");
  ASSERT_EQ(c->dnsservers.size(), 1u);
  EXPECT_EQ(c->routes.Lookup("x.example")->port, 26);
  EXPECT_TRUE(c->IsOurName("local.example"));
}

TEST(LoadRemoteControl, BadFilesAreErrors) {
  std::string dir = FreshDir("bad");
  Put(dir, "smtproutes", "broken\n");
  EXPECT_FALSE(LoadRemoteControl(dir, "h").ok());
  Put(dir, "smtproutes", "");
  Put(dir, "outgoingip", "not-an-ip\n");
  EXPECT_FALSE(LoadRemoteControl(dir, "h").ok());
  Put(dir, "outgoingip", "");
  Put(dir, "timeoutremote", "forever\n");
  EXPECT_FALSE(LoadRemoteControl(dir, "h").ok());
  Put(dir, "timeoutremote", "");
  Put(dir, "helohost", "two words\n");
  EXPECT_FALSE(LoadRemoteControl(dir, "h").ok());
  Put(dir, "helohost", "cr\rinside\n");
  EXPECT_FALSE(LoadRemoteControl(dir, "h").ok());
}

}  // namespace
}  // namespace yubin::control
