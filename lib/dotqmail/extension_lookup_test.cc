#include "lib/dotqmail/extension_lookup.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/deliver/test_message.h"

namespace yubin::dotqmail {
namespace {

std::vector<std::string> Names(std::string_view dash, std::string_view ext) {
  std::vector<std::string> out;
  for (const DotQmailCandidate& c : DotQmailCandidates(dash, ext)) {
    out.push_back(c.name + (c.default_part ? "=" + *c.default_part : ""));
  }
  return out;
}

TEST(ExtensionLookupTest, CandidatesLongestPrefixFirst) {
  EXPECT_EQ(Names("-", "a-b-c"),
            (std::vector<std::string>{".qmail-a-b-c", ".qmail-a-b-default=c",
                                      ".qmail-a-default=b-c", ".qmail-default=a-b-c"}));
  EXPECT_EQ(Names("", ""), (std::vector<std::string>{".qmail"}));
  EXPECT_EQ(Names("-", "root"),
            (std::vector<std::string>{".qmail-root", ".qmail-default=root"}));
  EXPECT_EQ(Names("-", "List.Bugs"),
            (std::vector<std::string>{".qmail-list:bugs", ".qmail-default=list:bugs"}));
  EXPECT_EQ(Names("-", "a-"),
            (std::vector<std::string>{".qmail-a-", ".qmail-a-default=", ".qmail-default=a-"}));
}

TEST(ExtensionLookupTest, FindsOnDisk) {
  std::string home = deliver::testing::TempDir("home");
  deliver::testing::ReadFile(home);  // exists
  auto touch = [&](const std::string& name) {
    FILE* f = std::fopen((home + "/" + name).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  };
  Result<DotQmailChoice> r = FindDotQmail(home, "", "");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->found) << "no .qmail means default delivery";

  r = FindDotQmail(home, "-", "list-bugs");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().permanent());
  EXPECT_EQ(r.status().message(), kNoMailbox);

  touch(".qmail-default");
  r = FindDotQmail(home, "-", "list-bugs");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, home + "/.qmail-default");
  EXPECT_EQ(r->default_part.value_or("?"), "list-bugs");

  touch(".qmail-list-default");
  r = FindDotQmail(home, "-", "list-bugs");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, home + "/.qmail-list-default");
  EXPECT_EQ(r->default_part.value_or("?"), "bugs");

  touch(".qmail-list-bugs");
  r = FindDotQmail(home, "-", "LIST-bugs");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, home + "/.qmail-list-bugs");
  EXPECT_FALSE(r->default_part.has_value());

  r = FindDotQmail(home, "-", "../etc");
  EXPECT_TRUE(r.status().permanent()) << "a '/' in the extension must not escape home";
}

}  // namespace
}  // namespace yubin::dotqmail
