// Routing decisions against a table of DNS answers.
#include "lib/remote/route_plan.h"

#include <map>

#include <gtest/gtest.h>

namespace yubin::remote {
namespace {

class TableDns : public dns::DnsLookup {
 public:
  std::map<std::string, Result<std::vector<dns::MxRecord>>> mx;
  std::map<std::string, Result<std::vector<dns::IpAddress>>> a;
  Result<std::vector<dns::MxRecord>> LookupMx(const std::string& d) override {
    auto it = mx.find(d);
    if (it == mx.end()) return std::vector<dns::MxRecord>{};
    return it->second;
  }
  Result<std::vector<dns::IpAddress>> LookupAddresses(
      const std::string& h) override {
    auto it = a.find(h);
    if (it == a.end()) return Status::Permanent("no host " + h);
    return it->second;
  }
};

control::RemoteControl Control(std::vector<std::string> routes = {}) {
  control::RemoteControl c;
  c.me = "me.test";
  c.helohost = "me.test";
  c.localiphost = "me.test";
  c.locals = {"me.test"};
  Result<control::SmtpRoutes> r = control::ParseSmtpRoutes(routes);
  if (r.ok()) c.routes = std::move(*r);
  return c;
}

const std::vector<dns::IpAddress> kOurs = {{false, "192.0.2.1"}};

std::vector<std::string> Names(const std::vector<Target>& t) {
  std::vector<std::string> out;
  for (const Target& x : t) {
    out.push_back(x.name + "/" + x.ip.text + ":" + std::to_string(x.port));
  }
  return out;
}

TEST(PlanRoute, MxInPreferenceOrder) {
  TableDns dns;
  dns.mx.emplace("example.com", std::vector<dns::MxRecord>{{20, "mx2.example.com"},
                                                           {10, "mx1.example.com"}});
  dns.a.emplace("mx1.example.com",
                std::vector<dns::IpAddress>{{false, "198.51.100.1"},
                                            {true, "2001:db8::1"}});
  dns.a.emplace("mx2.example.com",
                std::vector<dns::IpAddress>{{false, "198.51.100.2"}});
  std::mt19937 rng(1);
  Result<std::vector<Target>> t = PlanRoute("Example.COM", Control(), dns, kOurs, rng);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(Names(*t), (std::vector<std::string>{
                           "mx1.example.com/198.51.100.1:25",
                           "mx1.example.com/2001:db8::1:25",
                           "mx2.example.com/198.51.100.2:25"}));
}

TEST(PlanRoute, NoMxUsesAddresses) {
  TableDns dns;
  dns.a.emplace("plain.example", std::vector<dns::IpAddress>{{false, "198.51.100.3"}});
  std::mt19937 rng(1);
  Result<std::vector<Target>> t = PlanRoute("plain.example", Control(), dns, kOurs, rng);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"plain.example/198.51.100.3:25"}));
}

TEST(PlanRoute, SmtproutesOverridesMx) {
  TableDns dns;
  dns.mx.emplace("example.com", std::vector<dns::MxRecord>{{10, "mx1.example.com"}});
  dns.a.emplace("relay.example", std::vector<dns::IpAddress>{{false, "203.0.113.5"}});
  std::mt19937 rng(1);
  Result<std::vector<Target>> t = PlanRoute(
      "example.com", Control({"example.com:relay.example:2525"}), dns, kOurs, rng);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"relay.example/203.0.113.5:2525"}));
  Result<std::vector<Target>> lit = PlanRoute(
      "x.example", Control({":[::1]:2526"}), dns, kOurs, rng);
  ASSERT_TRUE(lit.ok());
  EXPECT_EQ(Names(*lit), (std::vector<std::string>{"[::1]/::1:2526"}));
}

TEST(PlanRoute, EmptyRelayKeepsMxWithPort) {
  TableDns dns;
  dns.mx.emplace("example.com", std::vector<dns::MxRecord>{{10, "mx1.example.com"}});
  dns.a.emplace("mx1.example.com", std::vector<dns::IpAddress>{{false, "198.51.100.1"}});
  std::mt19937 rng(1);
  Result<std::vector<Target>> t = PlanRoute(
      "example.com", Control({"example.com::2600", ":smart.example"}), dns, kOurs, rng);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"mx1.example.com/198.51.100.1:2600"}));
}

TEST(PlanRoute, LoopByNameAndByAddress) {
  TableDns dns;
  dns.mx.emplace("loop.example", std::vector<dns::MxRecord>{{10, "me.test"}});
  dns.a.emplace("me.test", std::vector<dns::IpAddress>{{false, "192.0.2.1"}});
  dns.mx.emplace("byaddr.example", std::vector<dns::MxRecord>{{10, "alias.example"}});
  dns.a.emplace("alias.example", std::vector<dns::IpAddress>{{false, "192.0.2.1"}});
  std::mt19937 rng(1);
  for (const char* d : {"loop.example", "byaddr.example", "[192.0.2.1]"}) {
    Result<std::vector<Target>> t = PlanRoute(d, Control(), dns, kOurs, rng);
    ASSERT_FALSE(t.ok()) << d;
    EXPECT_TRUE(t.status().permanent()) << d;
    EXPECT_NE(t.status().message().find("best-preference MX"), std::string::npos)
        << t.status().message();
  }
}

// Our addresses are looked up (getifaddrs) only when the loop rule needs
// them: never for a route with a relay, once for an MX route.
TEST(PlanRoute, OurAddressesOnlyWhenNeeded) {
  TableDns dns;
  dns.mx.emplace("example.com", std::vector<dns::MxRecord>{{10, "mx1.example.com"}});
  dns.a.emplace("mx1.example.com", std::vector<dns::IpAddress>{{false, "198.51.100.1"}});
  std::mt19937 rng(1);
  int asked = 0;
  auto ours = [&]() -> const std::vector<dns::IpAddress>& {
    ++asked;
    return kOurs;
  };
  ASSERT_TRUE(PlanRoute("x.example", Control({"x.example:[203.0.113.7]:2525"}), dns, ours, rng)
                  .ok());
  EXPECT_EQ(asked, 0) << "a relay route";
  ASSERT_TRUE(PlanRoute("example.com", Control(), dns, ours, rng).ok());
  EXPECT_EQ(asked, 1) << "an MX route";
  Result<std::vector<Target>> loop = PlanRoute("[192.0.2.1]", Control(), dns, ours, rng);
  EXPECT_TRUE(loop.status().permanent()) << "the loop rule still holds";
}

TEST(PlanRoute, BackupMxDeliversToBetterOnly) {
  TableDns dns;
  dns.mx.emplace("example.com",
                 std::vector<dns::MxRecord>{{10, "primary.example"}, {20, "alias.example"},
                                            {30, "worse.example"}});
  dns.a.emplace("primary.example", std::vector<dns::IpAddress>{{false, "198.51.100.9"}});
  dns.a.emplace("alias.example", std::vector<dns::IpAddress>{{false, "192.0.2.1"}});
  dns.a.emplace("worse.example", std::vector<dns::IpAddress>{{false, "198.51.100.10"}});
  std::mt19937 rng(1);
  Result<std::vector<Target>> t = PlanRoute("example.com", Control(), dns, kOurs, rng);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"primary.example/198.51.100.9:25"}));
}

TEST(PlanRoute, OurAddressOnAnotherPortIsNotALoop) {
  TableDns dns;
  dns.mx.emplace("example.com", std::vector<dns::MxRecord>{{10, "alias.example"}});
  dns.a.emplace("alias.example", std::vector<dns::IpAddress>{{false, "192.0.2.1"}});
  std::mt19937 rng(1);
  Result<std::vector<Target>> t =
      PlanRoute("example.com", Control({"example.com::2525"}), dns, kOurs, rng);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->size(), 1u);
}

TEST(PlanRoute, DnsErrors) {
  TableDns dns;
  dns.mx.emplace("gone.example", Status::Permanent("NXDOMAIN"));
  dns.mx.emplace("flaky.example", Status::Temporary("SERVFAIL"));
  dns.mx.emplace("half.example",
                 std::vector<dns::MxRecord>{{10, "bad.example"}, {20, "good.example"}});
  dns.a.emplace("bad.example", Status::Temporary("timeout"));
  dns.a.emplace("good.example", std::vector<dns::IpAddress>{{false, "198.51.100.4"}});
  dns.mx.emplace("noaddr.example", std::vector<dns::MxRecord>{{10, "flaky-host.example"}});
  dns.a.emplace("flaky-host.example", Status::Temporary("timeout"));
  std::mt19937 rng(1);
  EXPECT_TRUE(PlanRoute("gone.example", Control(), dns, kOurs, rng).status().permanent());
  EXPECT_TRUE(PlanRoute("flaky.example", Control(), dns, kOurs, rng).status().temporary());
  Result<std::vector<Target>> half = PlanRoute("half.example", Control(), dns, kOurs, rng);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(Names(*half), (std::vector<std::string>{"good.example/198.51.100.4:25"}));
  EXPECT_TRUE(PlanRoute("noaddr.example", Control(), dns, kOurs, rng).status().temporary());
}

}  // namespace
}  // namespace yubin::remote
