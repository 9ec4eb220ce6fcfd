#include "lib/control/smtproutes.h"

#include <gtest/gtest.h>

namespace yubin::control {
namespace {

SmtpRoutes Parse(std::vector<std::string> lines) {
  Result<SmtpRoutes> r = ParseSmtpRoutes(lines);
  if (!r.ok()) ADD_FAILURE() << r.status().message();
  return r.ok() ? std::move(*r) : SmtpRoutes();
}

TEST(SmtpRoutes, ExactSuffixAndCatchAll) {
  SmtpRoutes r = Parse({"example.com:relay.example:2525",
                        ".example.com:inner.example", ":smart.example",
                        "direct.example:"});
  std::optional<SmtpRoute> a = r.Lookup("EXAMPLE.com");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->relay, "relay.example");
  EXPECT_EQ(a->port, 2525);
  std::optional<SmtpRoute> b = r.Lookup("a.b.example.com");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->relay, "inner.example");
  EXPECT_EQ(b->port, 0);
  std::optional<SmtpRoute> c = r.Lookup("elsewhere.org");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->relay, "smart.example");
  std::optional<SmtpRoute> d = r.Lookup("direct.example");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->relay.empty()) << "an empty relay means: use MX";
}

TEST(SmtpRoutes, NoCatchAllNoRoute) {
  SmtpRoutes r = Parse({"example.com:relay.example"});
  EXPECT_FALSE(r.Lookup("example.org"));
  EXPECT_FALSE(r.Lookup("xexample.com")) << "exact names do not match suffixes";
}

TEST(SmtpRoutes, Literals) {
  SmtpRoutes r = Parse({"a.example:[192.0.2.7]", "b.example:[::1]:2526",
                        "c.example:[IPv6:2001:db8::5]", "d.example::2527"});
  SmtpRoute a = *r.Lookup("a.example");
  EXPECT_TRUE(a.literal);
  EXPECT_FALSE(a.ipv6);
  EXPECT_EQ(a.relay, "192.0.2.7");
  SmtpRoute b = *r.Lookup("b.example");
  EXPECT_TRUE(b.ipv6);
  EXPECT_EQ(b.relay, "::1");
  EXPECT_EQ(b.port, 2526);
  EXPECT_EQ(r.Lookup("c.example")->relay, "2001:db8::5");
  SmtpRoute d = *r.Lookup("d.example");
  EXPECT_TRUE(d.relay.empty());
  EXPECT_EQ(d.port, 2527);
}

TEST(SmtpRoutes, FirstLineWins) {
  SmtpRoutes r = Parse({"x.example:one", "X.example:two"});
  EXPECT_EQ(r.Lookup("x.example")->relay, "one");
}

TEST(SmtpRoutes, Malformed) {
  for (const char* bad :
       {"noseparator", "a.example:[1.2.3.4", "a.example:[1.2.3.4]x",
        "a.example:[not.an.ip]", "a.example:relay:0", "a.example:relay:65536",
        "a.example:relay:25x", "a.example:re lay", "a b:relay",
        "a.example:relay:", "a.example:[::1]:"}) {
    Result<std::pair<std::string, SmtpRoute>> r = ParseSmtpRouteLine(bad);
    EXPECT_FALSE(r.ok()) << "got ok for \"" << bad << "\", want an error";
  }
  EXPECT_FALSE(ParseSmtpRoutes({"good.example:relay", "bad"}).ok());
}

TEST(AddressLiteral, Forms) {
  EXPECT_EQ(ParseAddressLiteral("[192.0.2.1]")->first, "192.0.2.1");
  EXPECT_TRUE(ParseAddressLiteral("[IPv6:::1]")->second);
  EXPECT_FALSE(ParseAddressLiteral("192.0.2.1"));
  EXPECT_FALSE(ParseAddressLiteral("[example.com]"));
  EXPECT_FALSE(ParseAddressLiteral("[]"));
  EXPECT_FALSE(ParseAddressLiteral(std::string_view("[::\0x]", 6)));
}

}  // namespace
}  // namespace yubin::control
