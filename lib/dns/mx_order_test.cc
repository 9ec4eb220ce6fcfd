#include "lib/dns/mx_order.h"

#include <gtest/gtest.h>

#include <set>

namespace yubin::dns {
namespace {

bool Never(const std::string&) { return false; }

TEST(OrderMxRecords, LowestPreferenceFirst) {
  std::mt19937 rng(1);
  Result<std::vector<MxRecord>> r =
      OrderMxRecords({{20, "c"}, {5, "a"}, {10, "b"}}, Never, rng);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].host, "a");
  EXPECT_EQ((*r)[1].host, "b");
  EXPECT_EQ((*r)[2].host, "c");
}

TEST(OrderMxRecords, EqualPreferencesAreShuffled) {
  std::set<std::string> firsts;
  for (unsigned seed = 0; seed < 64; ++seed) {
    std::mt19937 rng(seed);
    Result<std::vector<MxRecord>> r = OrderMxRecords(
        {{10, "x"}, {10, "y"}, {10, "z"}, {30, "last"}}, Never, rng);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ(r->back().host, "last");
    firsts.insert(r->front().host);
  }
  EXPECT_EQ(firsts.size(), 3u) << "got " << firsts.size()
                               << " distinct first hosts, want 3";
}

TEST(OrderMxRecords, BackupMxKeepsOnlyBetterOnes) {
  std::mt19937 rng(2);
  auto is_us = [](const std::string& h) { return h == "me.example"; };
  Result<std::vector<MxRecord>> r = OrderMxRecords(
      {{10, "primary"}, {20, "me.example"}, {20, "peer"}, {30, "worse"}},
      is_us, rng);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].host, "primary");
}

TEST(OrderMxRecords, BestMxIsUsIsALoop) {
  std::mt19937 rng(3);
  auto is_us = [](const std::string& h) { return h == "me.example"; };
  Result<std::vector<MxRecord>> r = OrderMxRecords(
      {{10, "me.example"}, {10, "peer"}, {20, "backup"}}, is_us, rng);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().permanent());
  EXPECT_NE(r.status().message().find("best-preference MX"), std::string::npos)
      << r.status().message();
}

TEST(OrderMxRecords, Empty) {
  std::mt19937 rng(4);
  Result<std::vector<MxRecord>> r = OrderMxRecords({}, Never, rng);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace yubin::dns
