#include "lib/dotqmail/dotqmail_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace yubin::dotqmail {
namespace {

using K = InstructionKind;

std::vector<Instruction> Parse(std::string_view text) {
  Result<std::vector<Instruction>> r = ParseDotQmail(text);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<Instruction>{};
}

TEST(DotQmailParserTest, EveryLineType) {
  std::vector<Instruction> got = Parse(
      "# comment\n"
      "&admin@example.com\n"
      "bare@example.org  \n"
      "|exec /usr/bin/procmail -d x\n"
      "/var/mail/kim\n"
      "./mbox\n"
      "./Maildir/\n"
      "/srv/mail/kim/\t\n"
      "\n"
      "& spaced@example.net");
  std::vector<Instruction> want = {
      {K::kForward, "admin@example.com"},
      {K::kForward, "bare@example.org"},
      {K::kProgram, "exec /usr/bin/procmail -d x"},
      {K::kMbox, "/var/mail/kim"},
      {K::kMbox, "./mbox"},
      {K::kMaildir, "./Maildir/"},
      {K::kMaildir, "/srv/mail/kim/"},
      {K::kForward, "spaced@example.net"},
  };
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].kind, want[i].kind) << "line " << i;
    EXPECT_EQ(got[i].target, want[i].target) << "line " << i;
  }
}

TEST(DotQmailParserTest, EmptyAndCommentOnly) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("# nothing\n#more\n").empty());
}

TEST(DotQmailParserTest, ErrorsAreTemporary) {
  for (std::string_view bad :
       {std::string_view("\n./Maildir/\n"), std::string_view("|\n"),
        std::string_view("&\n"), std::string_view("a\0b\n", 4)}) {
    Result<std::vector<Instruction>> r = ParseDotQmail(bad);
    ASSERT_FALSE(r.ok()) << "input " << bad;
    EXPECT_TRUE(r.status().temporary());
  }
  EXPECT_FALSE(ParseDotQmail(std::string(kMaxDotQmailLine + 1, 'a')).ok());
  EXPECT_FALSE(ParseDotQmail(std::string(kMaxDotQmailBytes + 1, '#')).ok());
  std::string many;
  for (size_t i = 0; i <= kMaxInstructions; ++i) many += "./m\n";
  EXPECT_FALSE(ParseDotQmail(many).ok());
}

}  // namespace
}  // namespace yubin::dotqmail
