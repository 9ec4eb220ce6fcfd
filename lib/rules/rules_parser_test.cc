#include "lib/rules/rules_parser.h"

#include <gtest/gtest.h>

namespace yubin::rules {
namespace {

using namespace std::string_literals;

std::vector<RuleRecord> Parse(std::string_view line) {
  std::vector<RuleRecord> out;
  Status s = ParseRuleLine(line, &out);
  EXPECT_TRUE(s.ok()) << "line " << line << ": " << s.message();
  return out;
}

std::string ErrorOf(std::string_view line) {
  std::vector<RuleRecord> out;
  Status s = ParseRuleLine(line, &out);
  EXPECT_TRUE(s.permanent()) << "got ok for " << line << ", want an error";
  EXPECT_TRUE(out.empty()) << "records appended for a bad line";
  return s.message();
}

TEST(RulesParserTest, AllowWritesNothingDenyWritesD) {
  EXPECT_EQ(Parse("1.2.3.4:allow"), (std::vector<RuleRecord>{{"1.2.3.4", ""}}));
  EXPECT_EQ(Parse("1.2.3.4:deny"),
            (std::vector<RuleRecord>{{"1.2.3.4", "D\0"s}}));
}

TEST(RulesParserTest, EveryAddressForm) {
  EXPECT_EQ(Parse("joe@127.0.0.1:deny")[0].key, "joe@127.0.0.1");
  EXPECT_EQ(Parse("joe@=host.example:deny")[0].key, "joe@=host.example");
  EXPECT_EQ(Parse("18.23.0.32:deny")[0].key, "18.23.0.32");
  EXPECT_EQ(Parse("127.:allow")[0].key, "127.");
  EXPECT_EQ(Parse("=mail.example.com:allow")[0].key, "=mail.example.com");
  EXPECT_EQ(Parse("=.example.com:allow")[0].key, "=.example.com");
  EXPECT_EQ(Parse("=:allow")[0].key, "=");
  EXPECT_EQ(Parse(":allow")[0].key, "");
}

TEST(RulesParserTest, VariablesWithAnyQuote) {
  EXPECT_EQ(Parse("127.:allow,RELAYCLIENT=\"\"")[0].data, "+RELAYCLIENT=\0"s);
  EXPECT_EQ(Parse("10.0.:allow,RELAYCLIENT=/@fix.me/")[0].data,
            "+RELAYCLIENT=@fix.me\0"s);
  EXPECT_EQ(Parse("1:deny,A=\"x\",B='y,z',C=xax")[0].data,
            "D\0+A=x\0+B=y,z\0+C=a\0"s);
  EXPECT_EQ(Parse("1:allow,X=\"a=b\"")[0].data, "+X=a=b\0"s);
  EXPECT_EQ(Parse("1:allow,X=::")[0].data, "+X=\0"s);
  // As in ucspi-tcp, a name runs to the first '=' and may be odd.
  EXPECT_EQ(Parse("1:allow,,X=\"1\"")[0].data, "+,X=1\0"s);
  EXPECT_EQ(Parse("1:allow,=\"\"")[0].data, "+=\0"s);
}

// Found by rules_fuzz: a NUL inside a name is stored as it comes, as
// ucspi-tcp's tcprules does, and then reads as an item separator.
TEST(RulesParserTest, NulInNameIsKeptAsIs) {
  EXPECT_EQ(Parse("1:allow,\1\0D\0=xx"s)[0].data, "+\1\0D\0=\0"s);
}

TEST(RulesParserTest, ManyVariables) {
  std::string line = "1:allow";
  std::string want;
  for (int i = 0; i < 50; ++i) {
    line += ",V" + std::to_string(i) + "=\"" + std::to_string(i) + "\"";
    want += "+V" + std::to_string(i) + "=" + std::to_string(i) + '\0';
  }
  EXPECT_EQ(Parse(line)[0].data, want);
}

TEST(RulesParserTest, CommentsBlankAndColonlessLinesAreIgnored) {
  EXPECT_TRUE(Parse("# 1.2.3.4:deny").empty());
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("   \t").empty());
  EXPECT_TRUE(Parse("no colon here").empty());
}

TEST(RulesParserTest, TrailingBlanksDroppedLeadingKept) {
  EXPECT_EQ(Parse("1.2.3.4:deny \t ")[0].data, "D\0"s);
  EXPECT_EQ(Parse("  1.2.3.4:deny")[0].key, "  1.2.3.4");
  EXPECT_EQ(Parse("1.2.3.4 :deny")[0].key, "1.2.3.4 ");
}

TEST(RulesParserTest, Ranges) {
  std::vector<RuleRecord> r = Parse("10.2-3.:allow,X=\"q\"");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], (RuleRecord{"10.2.", "+X=q\0"s}));
  EXPECT_EQ(r[1], (RuleRecord{"10.3.", "+X=q\0"s}));
  r = Parse("1.2.3.37-39:deny");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[2].key, "1.2.3.39");
  EXPECT_EQ(Parse("1.2.250-300.:deny").size(), 6u);  // stops at 255
  EXPECT_TRUE(Parse("1.2.3.39-37:deny").empty());
  EXPECT_TRUE(Parse("1.2.3-:deny").empty());           // empty is 0
  EXPECT_EQ(Parse("1.2.-3.:deny").size(), 4u);         // 0 to 3
  EXPECT_EQ(Parse("1.2.03-04.:deny")[0].key, "1.2.3.");
  // Only the first range expands; the rest stays literal.
  r = Parse("1-2.3-4.:deny");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].key, "2.3-4.");
  EXPECT_TRUE(Parse("1.2.99999999999999999999-1.:deny").empty());
}

TEST(RulesParserTest, NoRangesInHostOrInfoAddresses) {
  EXPECT_EQ(Parse("=a-b.com:deny")[0].key, "=a-b.com");
  EXPECT_EQ(Parse("joe@1.2.3.4-5:deny")[0].key, "joe@1.2.3.4-5");
}

TEST(RulesParserTest, Ipv6AddressesAndPrefixes) {
  EXPECT_EQ(Parse("::1:allow,X=\"y\"")[0],
            (RuleRecord{"0000:0000:0000:0000:0000:0000:0000:0001", "+X=y\0"s}));
  EXPECT_EQ(Parse("2001:db8::5:deny")[0].key,
            "2001:0db8:0000:0000:0000:0000:0000:0005");
  EXPECT_EQ(Parse("2001:db8::allow")[0].key, "2001:0db8:");
  EXPECT_EQ(Parse("joe@fe80::1:deny")[0].key,
            "joe@fe80:0000:0000:0000:0000:0000:0000:0001");
}

TEST(RulesParserTest, EveryError) {
  EXPECT_EQ(ErrorOf("1.2.3.4:bogus"), "unknown instruction, want allow or deny");
  EXPECT_EQ(ErrorOf("1.2.3.4:Allow"), "unknown instruction, want allow or deny");
  EXPECT_EQ(ErrorOf("1.2.3.4: deny"), "unknown instruction, want allow or deny");
  EXPECT_EQ(ErrorOf("a:b:allow"), "unknown instruction, want allow or deny");
  // Not an IPv6 address or group prefix: the first ':' ends the address.
  EXPECT_EQ(ErrorOf("2001:db8:deny"),
            "unknown instruction, want allow or deny");
  EXPECT_EQ(ErrorOf("2001:DB8::/:deny"),
            "unknown instruction, want allow or deny");
  EXPECT_EQ(ErrorOf("1.2.3.4:allowx"), "junk after instruction, want ','");
  EXPECT_EQ(ErrorOf("1.2.3.4:allow\r"), "junk after instruction, want ','");
  EXPECT_EQ(ErrorOf("1.2.3.4:allow,X=\"a\"junk"),
            "junk after instruction, want ','");
  EXPECT_EQ(ErrorOf("1.2.3.4:allow,"),
            "variable without '=', want VAR=\"value\"");
  EXPECT_EQ(ErrorOf("1.2.3.4:allow,deny"),
            "variable without '=', want VAR=\"value\"");
  EXPECT_EQ(ErrorOf("1.2.3.4:allow,X="), "variable without a quoted value");
  EXPECT_EQ(ErrorOf("1.2.3.4:allow,X=\"abc"), "value has no closing quote");
  EXPECT_EQ(ErrorOf("1.2.3-a.:deny"), "bad address range, want digits-digits");
  EXPECT_EQ(ErrorOf("1.2.x3-4.:deny"), "bad address range, want digits-digits");
  EXPECT_EQ(ErrorOf("1.2.3-4-5.:deny"),
            "bad address range, want digits-digits");
  EXPECT_EQ(ErrorOf("a-b:deny"), "bad address range, want digits-digits");
  EXPECT_EQ(ErrorOf(std::string(kMaxRuleLineBytes + 1, 'x')), "line too long");
}

TEST(RulesParserTest, ParseRulesNamesTheLine) {
  Result<std::vector<RuleRecord>> r =
      ParseRules("# rules\n127.:allow,RELAYCLIENT=\"\"\n\n1.2:yes\n:allow\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "line 4: unknown instruction, want allow or deny: 1.2:yes");
}

TEST(RulesParserTest, ParseRulesKeepsOrderAndDuplicates) {
  Result<std::vector<RuleRecord>> r =
      ParseRules("1.2.3.4:deny\n1.2.3.4:allow\n:allow");  // no final '\n'
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].data, "D\0"s);
  EXPECT_EQ((*r)[1].data, "");
  EXPECT_EQ((*r)[2].key, "");
}

}  // namespace
}  // namespace yubin::rules
