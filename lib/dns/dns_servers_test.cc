#include "lib/dns/dns_servers.h"

#include <gtest/gtest.h>

namespace yubin::dns {
namespace {

TEST(ParseDnsServer, Forms) {
  Result<DnsServer> a = ParseDnsServer("127.0.0.1");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->address, "127.0.0.1");
  EXPECT_EQ(a->port, 53);
  EXPECT_FALSE(a->ipv6);
  Result<DnsServer> b = ParseDnsServer("10.0.0.1:5300");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 5300);
  Result<DnsServer> c = ParseDnsServer("[::1]:5353");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->address, "::1");
  EXPECT_EQ(c->port, 5353);
  EXPECT_TRUE(c->ipv6);
  Result<DnsServer> d = ParseDnsServer("2001:db8::1");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->ipv6);
  EXPECT_EQ(d->port, 53);
}

TEST(ParseDnsServer, Rejects) {
  for (const char* bad : {"", "ns.example.com", "1.2.3.4:", "1.2.3.4:0",
                          "1.2.3.4:65536", "[::1", "[::1]x", "[1.2.3.4]:53",
                          "1.2.3:53", "[::1]:", "1.2.3.4:5x"}) {
    Result<DnsServer> s = ParseDnsServer(bad);
    EXPECT_FALSE(s.ok()) << "got ok for " << bad << ", want an error";
    if (!s.ok()) {
      EXPECT_TRUE(s.status().permanent()) << bad;
    }
  }
}

// Found by dns_servers_fuzz: inet_pton stopped at the NUL and took "::".
TEST(ParseDnsServer, FuzzNulInsideAddress) {
  static constexpr char kInput[] = "::\0\0:-\0\0\0\0\0]\0\0";
  EXPECT_FALSE(ParseDnsServer(std::string_view(kInput, sizeof kInput - 1)).ok());
}

TEST(DnsServersCsv, Joins) {
  Result<std::string> csv = DnsServersCsv({"127.0.0.1:5300", "[::1]:5301"});
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv, "127.0.0.1:5300,[::1]:5301");
  std::vector<std::string> many(kMaxDnsServers + 1, "127.0.0.1");
  EXPECT_FALSE(DnsServersCsv(many).ok());
  EXPECT_FALSE(DnsServersCsv({"127.0.0.1", "bad"}).ok());
}

}  // namespace
}  // namespace yubin::dns
