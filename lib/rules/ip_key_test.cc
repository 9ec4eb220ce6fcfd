#include "lib/rules/ip_key.h"

#include <gtest/gtest.h>

namespace yubin::rules {
namespace {

TEST(IpKeyTest, ExpandsEveryIpv6Spelling) {
  EXPECT_EQ(ExpandIpv6("::1").value_or("none"),
            "0000:0000:0000:0000:0000:0000:0000:0001");
  EXPECT_EQ(ExpandIpv6("2001:DB8::a:1").value_or("none"),
            "2001:0db8:0000:0000:0000:0000:000a:0001");
  EXPECT_EQ(ExpandIpv6("::ffff:1.2.3.4").value_or("none"),
            "0000:0000:0000:0000:0000:ffff:0102:0304");
  EXPECT_EQ(ExpandIpv6("::").value_or("none").size(), kExpandedIpv6Length);
}

TEST(IpKeyTest, RejectsWhatIsNoIpv6Address) {
  EXPECT_FALSE(ExpandIpv6("1.2.3.4"));
  EXPECT_FALSE(ExpandIpv6("2001:db8:"));
  EXPECT_FALSE(ExpandIpv6("1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(ExpandIpv6(std::string(100, ':')));
  EXPECT_FALSE(ExpandIpv6(""));
}

TEST(IpKeyTest, ExpandsGroupPrefixes) {
  EXPECT_EQ(ExpandIpv6Prefix("2001:db8:").value_or("none"), "2001:0db8:");
  EXPECT_EQ(ExpandIpv6Prefix("FE80:").value_or("none"), "fe80:");
  EXPECT_EQ(ExpandIpv6Prefix("1:2:3:4:5:6:7:").value_or("none"),
            "0001:0002:0003:0004:0005:0006:0007:");
}

TEST(IpKeyTest, RejectsBadPrefixes) {
  EXPECT_FALSE(ExpandIpv6Prefix("2001:db8"));         // no trailing ':'
  EXPECT_FALSE(ExpandIpv6Prefix("2001::"));           // empty group
  EXPECT_FALSE(ExpandIpv6Prefix("12345:"));           // five digits
  EXPECT_FALSE(ExpandIpv6Prefix("g:"));               // not hex
  EXPECT_FALSE(ExpandIpv6Prefix("1:2:3:4:5:6:7:8:"));  // a whole address
  EXPECT_FALSE(ExpandIpv6Prefix(":"));
  EXPECT_FALSE(ExpandIpv6Prefix(""));
}

TEST(IpKeyTest, RuleKeyKeepsIpv4AndExpandsIpv6) {
  EXPECT_EQ(RuleKeyForIp("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(RuleKeyForIp("::1"), "0000:0000:0000:0000:0000:0000:0000:0001");
  EXPECT_EQ(RuleKeyForIp("not an ip"), "not an ip");
}

}  // namespace
}  // namespace yubin::rules
