// server_test.cc: the control files a server preloads for its forked
// sessions (PreloadSmtpdControl) are what RunSmtpd uses.
#include "lib/smtp/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "lib/base/fd.h"
#include "tests/harness/harness.h"

namespace yubin::smtp {
namespace {

using yubin::testing::MakeTempDir;
using yubin::testing::WriteFileOrDie;

// The greeting line of a session that only says QUIT (RunSmtpd returning
// want_exit).
std::string GreetingOfASession(int want_exit = 0) {
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd client(sv[0]), server(sv[1]);
  EXPECT_TRUE(WriteAll(client.get(), "QUIT\r\n").ok());
  EXPECT_EQ(RunSmtpd(server.get(), server.get()), want_exit);
  server.reset();
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(client.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out.substr(0, out.find("\r\n"));
}

TEST(PreloadSmtpdControl, SessionsUseThePreloadedCopy) {
  const std::string root = MakeTempDir("smtpd");
  ASSERT_EQ(mkdir((root + "/control").c_str(), 0755), 0);
  WriteFileOrDie(root + "/control/me", "preload.example\n", 0644);
  WriteFileOrDie(root + "/control/smtpgreeting", "first greeting\n", 0644);
  setenv("YUBIN_ROOT", root.c_str(), 1);
  setenv("GREETDELAY", "0", 1);  // QUIT is written before the greeting

  PreloadSmtpdControl();
  WriteFileOrDie(root + "/control/smtpgreeting", "second greeting\n", 0644);
  // A session after the preload has the copy, not the file as it is now.
  EXPECT_EQ(GreetingOfASession(), "220 first greeting ESMTP");
  // A preload within kControlCacheTime keeps the copy; the one after it
  // reads the files again.
  PreloadSmtpdControl();
  EXPECT_EQ(GreetingOfASession(), "220 first greeting ESMTP");
  usleep(static_cast<useconds_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(kControlCacheTime).count() + 50000));
  PreloadSmtpdControl();
  EXPECT_EQ(GreetingOfASession(), "220 second greeting ESMTP");
  // A session whose $YUBIN_ROOT is another (a rule may set it) reads its own.
  const std::string other = MakeTempDir("smtpd");
  ASSERT_EQ(mkdir((other + "/control").c_str(), 0755), 0);
  WriteFileOrDie(other + "/control/me", "other.example\n", 0644);
  setenv("YUBIN_ROOT", other.c_str(), 1);
  EXPECT_EQ(GreetingOfASession(), "220 other.example ESMTP");
  setenv("YUBIN_ROOT", root.c_str(), 1);
  // A copy that cannot be loaded is not kept: the session reads the files
  // (and refuses service, as it would have).
  usleep(static_cast<useconds_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(kControlCacheTime).count() + 50000));
  WriteFileOrDie(root + "/control/maxrcpt", "many\n", 0644);
  PreloadSmtpdControl();
  EXPECT_EQ(GreetingOfASession(111).substr(0, 4), "421 ");
}

}  // namespace
}  // namespace yubin::smtp
