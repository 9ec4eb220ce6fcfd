#include "lib/tcpserver/options.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace yubin::tcpserver {
namespace {

Result<ServerOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpserver");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseServerOptions(static_cast<int>(args.size()), argv.data());
}

TEST(OptionsTest, DefaultsAreUcspiTcps) {
  Result<ServerOptions> o = Parse({"0", "smtp", "prog", "arg"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->limit, 40u);
  EXPECT_EQ(o->backlog, 256u);
  EXPECT_EQ(o->verbosity, 1);
  EXPECT_TRUE(o->lookup_remote_host);
  EXPECT_FALSE(o->paranoid);
  EXPECT_TRUE(o->kill_ip_options);
  EXPECT_FALSE(o->no_delay);
  EXPECT_FALSE(o->uid);
  EXPECT_EQ(o->max_uses, 1u);
  EXPECT_EQ(o->host, "0");
  EXPECT_EQ(o->port, "smtp");
  EXPECT_EQ(o->program, (std::vector<std::string>{"prog", "arg"}));
}

TEST(OptionsTest, EveryFlag) {
  Result<ServerOptions> o =
      Parse({"-1XpHRoDv", "-c", "10", "-x", "r.cdb", "-Bhello", "-u", "1001",
             "-g1002", "-b", "5", "-l", "0", "-t", "3", "-C", "2", "-L60",
             "-m", "100", "::", "0", "echo", "-not-a-flag"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->print_port);
  EXPECT_TRUE(o->allow_missing_rules);
  EXPECT_TRUE(o->paranoid);
  EXPECT_FALSE(o->lookup_remote_host);
  EXPECT_FALSE(o->remote_info);
  EXPECT_FALSE(o->kill_ip_options);
  EXPECT_TRUE(o->no_delay);
  EXPECT_EQ(o->verbosity, 2);
  EXPECT_EQ(o->limit, 10u);
  EXPECT_EQ(o->rules_path, "r.cdb");
  EXPECT_EQ(o->banner, "hello");
  EXPECT_EQ(o->uid.value_or(0), 1001u);
  EXPECT_EQ(o->gid.value_or(0), 1002u);
  EXPECT_EQ(o->backlog, 5u);
  EXPECT_EQ(o->local_name.value_or(""), "0");
  EXPECT_EQ(o->ident_timeout, 3u);
  EXPECT_EQ(o->per_ip_limit, 2u);
  EXPECT_EQ(o->per_ip_rate, 60u);
  EXPECT_EQ(o->max_uses, 100u);
  EXPECT_EQ(o->host, "::");
  EXPECT_EQ(o->program, (std::vector<std::string>{"echo", "-not-a-flag"}));
}

TEST(OptionsTest, LaterFlagsWin) {
  Result<ServerOptions> o = Parse({"-vq", "-pP", "-Hh", "-Dd", "-oO", "0", "1", "x"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->verbosity, 0);
  EXPECT_FALSE(o->paranoid);
  EXPECT_TRUE(o->lookup_remote_host);
  EXPECT_FALSE(o->no_delay);
  EXPECT_TRUE(o->kill_ip_options);
}

TEST(OptionsTest, DashDashEndsFlags) {
  Result<ServerOptions> o = Parse({"-v", "--", "-host", "1", "x"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "-host");
}

TEST(OptionsTest, UidAndGidFromEnvironment) {
  setenv("UID", "123", 1);
  setenv("GID", "456", 1);
  Result<ServerOptions> o = Parse({"-U", "0", "1", "x"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->uid.value_or(0), 123u);
  EXPECT_EQ(o->gid.value_or(0), 456u);
  unsetenv("GID");
  EXPECT_FALSE(Parse({"-U", "0", "1", "x"}).ok());
}

TEST(OptionsTest, Errors) {
  EXPECT_FALSE(Parse({"0", "1"}).ok());                 // no program
  EXPECT_FALSE(Parse({"-Z", "0", "1", "x"}).ok());      // unknown flag
  EXPECT_FALSE(Parse({"-c", "0", "0", "1", "x"}).ok());  // limit must be > 0
  EXPECT_FALSE(Parse({"-c", "1x", "0", "1", "x"}).ok());
  EXPECT_FALSE(Parse({"-m", "0", "0", "1", "x"}).ok());  // at least one use
  EXPECT_FALSE(Parse({"-c", "99999999999999", "0", "1", "x"}).ok());
  EXPECT_FALSE(Parse({"-u", "-1", "0", "1", "x"}).ok());
  EXPECT_FALSE(Parse({"-u", "4294967295", "0", "1", "x"}).ok());
  EXPECT_FALSE(Parse({"-g", "", "0", "1", "x"}).ok());
  EXPECT_TRUE(Parse({"0", "1", "x", "-c"}).ok());  // "-c" is the program's
  EXPECT_FALSE(Parse({"-x"}).ok());                      // value missing
}

}  // namespace
}  // namespace yubin::tcpserver
