#include "lib/queue/recipient_split.h"

#include <gtest/gtest.h>

namespace yubin::queue {
namespace {

RecipientRules Rules() {
  return MakeRecipientRules(
      {"example.com", "Local.Example.NET"},
      {"lists.example.org:ml", "kim@special.org:kimbox", ".virt.org:v",
       "exempt.virt.org:", "no-colon-line"});
}

TEST(RecipientSplit, LocalsMatchCaseInsensitively) {
  SplitResult r = SplitRecipient(Rules(), "Kim@EXAMPLE.com");
  EXPECT_TRUE(r.local);
  EXPECT_EQ(r.local_part, "Kim") << "got " << r.local_part << ", want Kim";
  EXPECT_EQ(r.domain, "example.com");
  EXPECT_TRUE(SplitRecipient(Rules(), "a@local.example.net").local);
}

TEST(RecipientSplit, RemoteWhenNothingMatches) {
  EXPECT_FALSE(SplitRecipient(Rules(), "a@elsewhere.com").local);
  EXPECT_FALSE(SplitRecipient(Rules(), "a@sub.example.com").local);
}

TEST(RecipientSplit, VirtualDomainPrepends) {
  SplitResult r = SplitRecipient(Rules(), "bugs@lists.example.org");
  EXPECT_TRUE(r.local);
  EXPECT_EQ(r.local_part, "ml-bugs");
  EXPECT_EQ(r.domain, "lists.example.org");
}

TEST(RecipientSplit, UserAtDomainWinsOverDomain) {
  SplitResult r = SplitRecipient(Rules(), "kim@special.org");
  EXPECT_TRUE(r.local);
  EXPECT_EQ(r.local_part, "kimbox-kim");
  EXPECT_FALSE(SplitRecipient(Rules(), "lee@special.org").local);
}

TEST(RecipientSplit, SuffixesAndExemption) {
  SplitResult r = SplitRecipient(Rules(), "x@a.b.virt.org");
  EXPECT_TRUE(r.local);
  EXPECT_EQ(r.local_part, "v-x");
  EXPECT_FALSE(SplitRecipient(Rules(), "x@exempt.virt.org").local)
      << "an empty prepend must mean remote";
  EXPECT_FALSE(SplitRecipient(Rules(), "x@virt.org").local)
      << ".virt.org must not match virt.org itself";
}

TEST(RecipientSplit, CatchAll) {
  RecipientRules rules = MakeRecipientRules({"example.com"}, {":catch"});
  SplitResult r = SplitRecipient(rules, "x@anything.net");
  EXPECT_TRUE(r.local);
  EXPECT_EQ(r.local_part, "catch-x");
  EXPECT_EQ(SplitRecipient(rules, "y@example.com").local_part, "y");
}

TEST(RecipientSplit, NoAtSignIsLocal) {
  SplitResult r = SplitRecipient(Rules(), "postmaster");
  EXPECT_TRUE(r.local);
  EXPECT_EQ(r.local_part, "postmaster");
}

}  // namespace
}  // namespace yubin::queue
