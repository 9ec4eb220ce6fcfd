#include <sys/stat.h>

#include <string>

#include "gtest/gtest.h"
#include "lib/aliases/aliases_convert.h"
#include "lib/aliases/aliases_parser.h"
#include "lib/deliver/test_message.h"

namespace yubin::aliases {
namespace {

using K = TargetKind;

constexpr char kAliases[] =
    "# /etc/aliases\n"
    "postmaster: root\n"
    "MAILER-DAEMON: postmaster\n"
    "root: kim@example.com,\n"
    "  \\kim, \"|/usr/bin/logger -t mail\",\n"
    "\tbackup@example.net\n"
    "www.data: /var/log/www-mail\n"
    "staff: :include:/etc/mail/staff\n"
    "nobody: /dev/null\n"
    "old: error:nouser No such user\n"
    "this line is broken\n";

TEST(AliasesParserTest, EntriesTargetsContinuations) {
  Result<AliasesFile> r = ParseAliases(kAliases);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->entries.size(), 7u);
  EXPECT_EQ(r->entries[0].name, "postmaster");
  EXPECT_EQ(r->entries[0].targets, (std::vector<AliasTarget>{{K::kAddress, "root"}}));
  const AliasEntry& root = r->entries[2];
  EXPECT_EQ(root.name, "root");
  EXPECT_EQ(root.line, 4u);
  EXPECT_EQ(root.targets,
            (std::vector<AliasTarget>{{K::kAddress, "kim@example.com"},
                                      {K::kLocalUser, "kim"},
                                      {K::kProgram, "/usr/bin/logger -t mail"},
                                      {K::kAddress, "backup@example.net"}}));
  EXPECT_EQ(r->entries[3].targets, (std::vector<AliasTarget>{{K::kFile, "/var/log/www-mail"}}));
  EXPECT_EQ(r->entries[4].targets, (std::vector<AliasTarget>{{K::kInclude, "/etc/mail/staff"}}));
  EXPECT_EQ(r->entries[6].targets[0].kind, K::kError);
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("line 11"), std::string::npos) << r->problems[0];
}

TEST(AliasesParserTest, QuotedCommas) {
  std::vector<AliasTarget> t = ParseTargetList(" \"|/bin/x a,b\" , c@d ,, ");
  EXPECT_EQ(t, (std::vector<AliasTarget>{{K::kProgram, "/bin/x a,b"}, {K::kAddress, "c@d"}}));
}

TEST(AliasesConvertTest, PlanAndWrite) {
  std::string dir = deliver::testing::TempDir("alias");
  Result<AliasesFile> parsed = ParseAliases(
      "postmaster: root\n"
      "Root: kim@example.com, \\kim, \"|/usr/bin/logger -t mail\",\n"
      "  backup@example.net\n"
      "www.data: /var/log/www-mail\n"
      "staff: :include:/etc/mail/staff\n"
      "nobody: /dev/null\n"
      "old: error:nouser No such user\n"
      "self: \\self\n"
      "nested: :include:/etc/mail/nested\n");
  ASSERT_TRUE(parsed.ok());
  ConvertOptions options;
  options.alias_dir = dir;
  options.read_include = [](const std::string& path) -> Result<std::string> {
    if (path == "/etc/mail/staff") return std::string("ann@example.com\nbob, # comment\n");
    return std::string(":include:/etc/mail/other\n");
  };
  ConversionPlan plan = PlanConversion(*parsed, options);
  ASSERT_EQ(plan.files.size(), 5u);
  EXPECT_EQ(plan.files[0].path, dir + "/.qmail-postmaster");
  EXPECT_EQ(plan.files[0].content, "&root\n");
  EXPECT_EQ(plan.files[1].path, dir + "/.qmail-root");
  EXPECT_EQ(plan.files[1].content,
            "&kim@example.com\n&kim\n|/usr/bin/logger -t mail\n&backup@example.net\n");
  EXPECT_EQ(plan.files[2].path, dir + "/.qmail-www:data");
  EXPECT_EQ(plan.files[2].content, "/var/log/www-mail\n");
  EXPECT_EQ(plan.files[3].content, "&ann@example.com\n&bob\n");
  EXPECT_EQ(plan.files[3].notes.size(), 1u);
  EXPECT_EQ(plan.files[4].content, "# discarded (was /dev/null)\n");
  ASSERT_EQ(plan.problems.size(), 3u) << DescribePlan(plan);
  EXPECT_NE(plan.problems[0].find("old: sendmail error target"), std::string::npos);
  EXPECT_NE(plan.problems[1].find("self:"), std::string::npos);
  EXPECT_NE(plan.problems[2].find("nested :include:"), std::string::npos);

  std::string report;
  ASSERT_TRUE(ApplyConversion(plan, &report).ok());
  EXPECT_EQ(deliver::testing::ReadFile(dir + "/.qmail-root"), plan.files[1].content);
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/.qmail-root").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A second run leaves existing files alone unless forced.
  ConversionPlan again = PlanConversion(*parsed, options);
  EXPECT_TRUE(again.files.empty());
  EXPECT_EQ(again.skipped.size(), 5u);
  options.force = true;
  EXPECT_EQ(PlanConversion(*parsed, options).files.size(), 5u);
}

TEST(AliasesConvertTest, CommandDryRunWritesNothing) {
  std::string dir = deliver::testing::TempDir("alias");
  std::string src = dir + "/aliases";
  FILE* f = std::fopen(src.c_str(), "w");
  std::fputs("root: kim@example.com\n", f);
  std::fclose(f);
  std::string out;
  EXPECT_EQ(RunAliasesCommand({"--dry-run", src, dir}, "/nonexistent", &out), 0);
  EXPECT_EQ(out, "root -> " + dir + "/.qmail-root\n    &kim@example.com\n");
  EXPECT_EQ(deliver::testing::ReadFile(dir + "/.qmail-root"), "");
  EXPECT_EQ(RunAliasesCommand({src, dir}, "/nonexistent", &out), 0);
  EXPECT_EQ(deliver::testing::ReadFile(dir + "/.qmail-root"), "&kim@example.com\n");
  EXPECT_EQ(RunAliasesCommand({"--bogus"}, "/x", &out), 100);
  EXPECT_EQ(RunAliasesCommand({dir + "/missing"}, "/x", &out), 111);
}

}  // namespace
}  // namespace yubin::aliases
