#include "lib/rules/rules_lookup.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "lib/base/fd.h"
#include "lib/rules/rules_cdb.h"
#include "lib/rules/rules_parser.h"

namespace yubin::rules {
namespace {

using namespace std::string_literals;

class RulesLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/lookupXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }

  // Compiles rules and returns the match for query.
  RuleMatch Match(const std::string& text, const RuleQuery& query) {
    Result<std::vector<RuleRecord>> records = ParseRules(text);
    EXPECT_TRUE(records.ok()) << records.status().message();
    if (!records.ok()) return {};
    std::string cdb = dir_ + "/r.cdb";
    Status s = WriteRulesCdb(*records, cdb, dir_ + "/r.tmp");
    EXPECT_TRUE(s.ok()) << s.message();
    UniqueFd fd(open(cdb.c_str(), O_RDONLY));
    Result<RuleMatch> m = LookupRules(fd.get(), query);
    EXPECT_TRUE(m.ok()) << m.status().message();
    return m.ok() ? *m : RuleMatch{};
  }

  std::string dir_;
};

constexpr char kAllForms[] =
    "joe@1.2.3.4:allow,R=\"info@ip\"\n"
    "joe@=h.example.com:allow,R=\"info@=host\"\n"
    "1.2.3.4:allow,R=\"ip\"\n"
    "=h.example.com:allow,R=\"=host\"\n"
    "1.2.3.:allow,R=\"1.2.3.\"\n"
    "1.2.:allow,R=\"1.2.\"\n"
    "=.example.com:allow,R=\"=.example.com\"\n"
    "=.com:allow,R=\"=.com\"\n"
    "=:allow,R=\"=\"\n"
    ":deny,R=\"default\"\n";

std::string Rule(const RuleMatch& m) {
  if (!m.found) return "none";
  return m.decision.env.empty() ? "?" : m.decision.env[0].second;
}

TEST_F(RulesLookupTest, OrderIsUcspiTcps) {
  const std::string h = "h.example.com";
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.4", h, "joe"})), "info@ip");
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.5", h, "joe"})), "info@=host");
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.4", h, "bob"})), "ip");
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.5", h, "bob"})), "=host");
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.5", "x.example.com", {}})), "1.2.3.");
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.9.9", "x.example.com", {}})), "1.2.");
  EXPECT_EQ(Rule(Match(kAllForms, {"9.9.9.9", "x.example.com", {}})),
            "=.example.com");
  EXPECT_EQ(Rule(Match(kAllForms, {"9.9.9.9", "x.other.com", {}})), "=.com");
  EXPECT_EQ(Rule(Match(kAllForms, {"9.9.9.9", "localhost", {}})), "=");
  EXPECT_EQ(Rule(Match(kAllForms, {"9.9.9.9", {}, {}})), "default");
  // Without a host, host rules are skipped; info alone does not need one.
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.4", {}, "joe"})), "info@ip");
  EXPECT_EQ(Rule(Match(kAllForms, {"1.2.3.5", {}, "joe"})), "1.2.3.");
}

TEST_F(RulesLookupTest, DenyAndVariables) {
  RuleMatch m = Match("127.:allow,RELAYCLIENT=\"\",B='2'\n:deny\n",
                      {"127.0.0.1", {}, {}});
  EXPECT_TRUE(m.found);
  EXPECT_EQ(m.key, "127.");
  EXPECT_FALSE(m.decision.deny);
  ASSERT_EQ(m.decision.env.size(), 2u);
  EXPECT_EQ(m.decision.env[0],
            (std::pair<std::string, std::string>("RELAYCLIENT", "")));
  EXPECT_EQ(m.decision.env[1], (std::pair<std::string, std::string>("B", "2")));
  m = Match("127.:allow,RELAYCLIENT=\"\"\n:deny\n", {"10.0.0.1", {}, {}});
  EXPECT_TRUE(m.decision.deny);
  EXPECT_EQ(m.key, "");
}

TEST_F(RulesLookupTest, NoMatchAllows) {
  RuleMatch m = Match("1.2.3.4:deny\n", {"10.0.0.1", {}, {}});
  EXPECT_FALSE(m.found);
  EXPECT_FALSE(m.decision.deny);
  EXPECT_EQ(DescribeRuleMatch(m), "default:\nallow connection\n");
}

TEST_F(RulesLookupTest, FirstDuplicateWins) {
  EXPECT_TRUE(Match("1.2.3.4:deny\n1.2.3.4:allow\n", {"1.2.3.4", {}, {}})
                  .decision.deny);
  EXPECT_FALSE(Match("1.2.3.4:allow\n1.2.3.4:deny\n", {"1.2.3.4", {}, {}})
                   .decision.deny);
}

TEST_F(RulesLookupTest, RangesMatch) {
  const char kRules[] = "10.2-3.:deny\n";
  EXPECT_TRUE(Match(kRules, {"10.3.1.1", {}, {}}).decision.deny);
  EXPECT_FALSE(Match(kRules, {"10.4.1.1", {}, {}}).found);
}

TEST_F(RulesLookupTest, Ipv6ExactAndPrefixes) {
  const char kRules[] =
      "2001:db8::1:allow,R=\"exact\"\n"
      "2001:db8:1::allow,R=\"64\"\n"
      "2001:db8::allow,R=\"32\"\n"
      ":deny\n";
  EXPECT_EQ(Rule(Match(kRules, {"2001:db8::1", {}, {}})), "exact");
  EXPECT_EQ(Rule(Match(kRules, {"2001:DB8:0:0::1", {}, {}})), "exact");
  EXPECT_EQ(Rule(Match(kRules, {"2001:db8:1::7", {}, {}})), "64");
  EXPECT_EQ(Rule(Match(kRules, {"2001:db8:2::7", {}, {}})), "32");
  EXPECT_TRUE(Match(kRules, {"2001:db9::1", {}, {}}).decision.deny);
}

TEST(RulesLookupKeysTest, KeysInOrder) {
  std::vector<std::string> want = {"u@10.1.2.3", "u@=a.b.c", "10.1.2.3",
                                   "=a.b.c",     "10.1.2.",  "10.1.",
                                   "10.",        "=.b.c",    "=.c",
                                   "=",          ""};
  EXPECT_EQ(LookupKeys({"10.1.2.3", "a.b.c", "u"}), want);
}

TEST(RulesDecodeTest, ReadsLikeTcpserver) {
  RuleDecision d = DecodeRuleData("+A=1\0junk\0+NOEQ\0D\0+B=x=y\0+C=unterminated"s);
  EXPECT_TRUE(d.deny);
  ASSERT_EQ(d.env.size(), 2u);
  EXPECT_EQ(d.env[1], (std::pair<std::string, std::string>("B", "x=y")));
}

TEST(RulesDescribeTest, WordsOfTcprulescheck) {
  RuleMatch m{.found = true, .key = "127.", .data = "+RELAYCLIENT=\0+X=1\0"s};
  EXPECT_EQ(DescribeRuleMatch(m),
            "rule 127.:\nset environment variable RELAYCLIENT=\n"
            "set environment variable X=1\nallow connection\n");
  m = {.found = true, .key = "1.2.3.4", .data = "D\0+X=a\0"s};
  EXPECT_EQ(DescribeRuleMatch(m), "rule 1.2.3.4:\ndeny connection\n");
}

}  // namespace
}  // namespace yubin::rules
