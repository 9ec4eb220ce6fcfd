#include "lib/svc/svc_args.h"

#include <gtest/gtest.h>

namespace yubin::svc {
namespace {

TEST(ControlLetterForTest, EveryCommandFlagMapsToItsLetter) {
  for (char flag : std::string("udopchaitkxq12ybOr")) {
    std::optional<char> letter = ControlLetterFor(flag);
    ASSERT_TRUE(letter.has_value()) << "flag -" << flag;
    EXPECT_EQ(*letter, flag) << "got " << *letter << ", want " << flag;
  }
}

TEST(ControlLetterForTest, OthersAreNotCommands) {
  for (char flag : std::string("wTzUDXsQ-0 ")) {
    EXPECT_FALSE(ControlLetterFor(flag).has_value()) << "flag -" << flag;
  }
}

TEST(ParseSvcArgsTest, DaemontoolsFlagsInOrder) {
  auto r = ParseSvcArgs({"-d", "-u", "-o", "-p", "-c", "-h", "-a", "-i", "-t",
                         "-k", "-x", "svc1", "svc2"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->commands, "duopchaitkx");
  EXPECT_EQ(r->wait, WaitFor::kNone);
  EXPECT_EQ(r->dirs, (std::vector<std::string>{"svc1", "svc2"}));
}

TEST(ParseSvcArgsTest, ClusteredS6Extras) {
  auto r = ParseSvcArgs({"-q12ybOr", "dir"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->commands, "q12ybOr");
}

TEST(ParseSvcArgsTest, EveryWaitLetter) {
  const std::pair<const char*, WaitFor> cases[] = {
      {"-wu", WaitFor::kUp},       {"-wU", WaitFor::kReady},
      {"-wd", WaitFor::kDown},     {"-wD", WaitFor::kReallyDown},
      {"-wr", WaitFor::kRestart},  {"-wR", WaitFor::kRestartReady},
  };
  for (const auto& [flag, want] : cases) {
    auto r = ParseSvcArgs({flag, "dir"});
    ASSERT_TRUE(r.ok()) << flag << ": " << r.status().message();
    EXPECT_EQ(r->wait, want) << flag;
    EXPECT_EQ(r->commands, "") << flag;
    EXPECT_EQ(WaitForLetter(WaitLetter(want)), want) << flag;
  }
}

TEST(ParseSvcArgsTest, WaitAndTimeoutForms) {
  auto a = ParseSvcArgs({"-wU", "-T", "5000", "-u", "dir"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->wait, WaitFor::kReady);
  EXPECT_EQ(a->timeout.count(), 5000);
  EXPECT_EQ(a->commands, "u");

  auto b = ParseSvcArgs({"-dwDT250", "dir"});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->commands, "d");
  EXPECT_EQ(b->wait, WaitFor::kReallyDown);
  EXPECT_EQ(b->timeout.count(), 250);

  auto c = ParseSvcArgs({"-w", "r", "-T100", "-r", "dir"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->wait, WaitFor::kRestart);
  EXPECT_EQ(c->timeout.count(), 100);
  EXPECT_EQ(c->commands, "r");
}

TEST(ParseSvcArgsTest, DoubleDashEndsFlags) {
  auto r = ParseSvcArgs({"-u", "--", "-weird-dir"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->dirs, (std::vector<std::string>{"-weird-dir"}));
}

TEST(ParseSvcArgsTest, UsageErrorsArePermanentAndSayWhy) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"-u"}, "no service directory"},
      {{}, "no service directory"},
      {{"-z", "dir"}, "unknown flag -z"},
      {{"-wx", "dir"}, "bad wait -wx"},
      {{"-w"}, "-w needs a value"},
      {{"-T", "abc", "dir"}, "bad -T value"},
      {{"-T", "99999999999", "dir"}, "too large"},
      {{"-T"}, "-T needs a value"},
  };
  for (const auto& [args, want] : cases) {
    auto r = ParseSvcArgs(args);
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_TRUE(r.status().permanent()) << want;
    EXPECT_NE(r.status().message().find(want), std::string::npos)
        << "got '" << r.status().message() << "', want it to contain '" << want << "'";
  }
}

TEST(ParseSvcArgsTest, CommandCountIsBounded) {
  std::string many = "-" + std::string(kMaxCommandLetters + 1, 'h');
  auto r = ParseSvcArgs({many, "dir"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too many"), std::string::npos);
}

}  // namespace
}  // namespace yubin::svc
