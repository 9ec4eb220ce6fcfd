#include "lib/multilog/script.h"

#include <gtest/gtest.h>

#include "lib/multilog/pattern.h"

namespace yubin::multilog {
namespace {

TEST(ScriptTest, ParsesEveryAction) {
  Result<Script> s = ParseScript({"t", "-*", "+* fatal: *", "e", "=st",
                                  "s4096", "n3", "!wc -l", "./main", "s5000",
                                  "/abs"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->timestamp);
  ASSERT_EQ(s->actions.size(), 6u);
  EXPECT_EQ(s->actions[0].kind, ActionKind::kDeselect);
  EXPECT_EQ(s->actions[0].text, "*");
  EXPECT_EQ(s->actions[1].kind, ActionKind::kSelect);
  EXPECT_EQ(s->actions[2].kind, ActionKind::kAlert);
  EXPECT_EQ(s->actions[3].kind, ActionKind::kStatusFile);
  EXPECT_EQ(s->actions[3].text, "st");
  ASSERT_EQ(s->directories.size(), 2u);
  EXPECT_EQ(s->directories[0].path, "./main");
  EXPECT_EQ(s->directories[0].max_size, 4096u);
  EXPECT_EQ(s->directories[0].max_files, 3u);
  EXPECT_EQ(s->directories[0].processor, "wc -l");
  EXPECT_EQ(s->directories[1].max_size, 5000u);
  EXPECT_EQ(s->directories[1].max_files, 3u);
  EXPECT_EQ(s->actions[5].dir_index, 1u);
}

TEST(ScriptTest, DefaultsApply) {
  Result<Script> s = ParseScript({"./d"});
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->timestamp);
  EXPECT_EQ(s->directories[0].max_size, kDefaultFileSize);
  EXPECT_EQ(s->directories[0].max_files, kDefaultFileCount);
  EXPECT_EQ(s->directories[0].processor, "");
}

TEST(ScriptTest, RefusesBadArgumentsNamingThem) {
  struct Case {
    const char* arg;
  } cases[] = {{"x"},        {"s4095"},  {"s16777216"}, {"s"},   {"s12a"},
               {"n1"},       {"n"},      {"nfoo"},      {"tt"},  {"ex"},
               {"="},        {"!"},      {""},          {"s99999999999999999999"}};
  for (const Case& c : cases) {
    Result<Script> s = ParseScript({"./d", c.arg});
    ASSERT_FALSE(s.ok()) << "got ok for " << c.arg << ", want an error";
    EXPECT_TRUE(s.status().permanent()) << c.arg;
    EXPECT_NE(s.status().message().find(std::string("'") + c.arg + "'"),
              std::string::npos)
        << "got " << s.status().message() << ", want it to name " << c.arg;
  }
}

TEST(ScriptTest, TimestampOnlyFirst) {
  EXPECT_TRUE(ParseScript({"t", "./d"}).ok());
  EXPECT_FALSE(ParseScript({"./d", "t"}).ok());
}

TEST(ScriptTest, SizeLimitsInclusive) {
  EXPECT_TRUE(ParseScript({"s4096", "s16777215", "n2"}).ok());
}

TEST(PatternTest, ManPageExamples) {
  EXPECT_TRUE(MatchPattern("hello", "hello"));
  EXPECT_FALSE(MatchPattern("hello", "hello world"));
  EXPECT_TRUE(MatchPattern("named[*]: Cleaned cache *",
                           "named[135]: Cleaned cache of 3121 RRs"));
  EXPECT_TRUE(MatchPattern("*", "anything at all"));
  EXPECT_TRUE(MatchPattern("*", ""));
  EXPECT_TRUE(MatchPattern("* fatal: *",
                           "@400000003b4a39c23294b13c fatal: out of memory"));
}

TEST(PatternTest, StarStopsAtNextCharacter) {
  // The first star cannot cross the ']' it stops at.
  EXPECT_FALSE(MatchPattern("a*b", "axxbyyb"));
  EXPECT_TRUE(MatchPattern("a*b*", "axxbyyb"));
  EXPECT_FALSE(MatchPattern("x*", "yx"));
  EXPECT_TRUE(MatchPattern("", ""));
  EXPECT_FALSE(MatchPattern("", "a"));
  EXPECT_FALSE(MatchPattern("ab", "a"));
}

}  // namespace
}  // namespace yubin::multilog
