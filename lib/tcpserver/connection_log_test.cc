#include "lib/tcpserver/connection_log.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include <gtest/gtest.h>

#include "lib/tcpserver/address.h"
#include "lib/tcpserver/host_lookup.h"

namespace yubin::tcpserver {
namespace {

TEST(ConnectionLogTest, LinesInUcspiTcpWords) {
  EXPECT_EQ(StatusLine(1, 40), "tcpserver: status: 1/40\n");
  EXPECT_EQ(PidFromLine(28374, "127.0.0.1"),
            "tcpserver: pid 28374 from 127.0.0.1\n");
  EXPECT_EQ(EndLine(28585, 25600), "tcpserver: end 28585 status 25600\n");
  Endpoint local{"127.0.0.1", 42293, false};
  Endpoint remote{"127.0.0.1", 57740, false};
  // Captured from Debian's ucspi-tcp 0.88 tcpserver -v.
  EXPECT_EQ(DecisionLine(false, 28374, {}, local, {}, remote, {}),
            "tcpserver: ok 28374 :127.0.0.1:42293 :127.0.0.1::57740\n");
  EXPECT_EQ(DecisionLine(true, 28585, "myname", Endpoint{"127.0.0.1", 37075},
                         {}, Endpoint{"127.0.0.1", 56360}, {}),
            "tcpserver: deny 28585 myname:127.0.0.1:37075 :127.0.0.1::56360\n");
  EXPECT_EQ(DecisionLine(false, 1, "l", local, "r.example", remote, "joe"),
            "tcpserver: ok 1 l:127.0.0.1:42293 r.example:127.0.0.1:joe:57740\n");
}

TEST(ConnectionLogTest, SafeLogTextLikeUcspiTcp) {
  EXPECT_EQ(SafeLogText("a:b%c d"), "a?b?c?d");  // as Debian's tcpserver logs
  EXPECT_EQ(SafeLogText("\x01\x7f\xff"), "???");
  EXPECT_EQ(SafeLogText(std::string(kMaxLogFieldBytes + 20, 'x')),
            std::string(kMaxLogFieldBytes, 'x') + "...");
  // Checked against Debian's tcpserver -v -l with 99, 100 and 120 bytes.
  EXPECT_EQ(SafeLogText(std::string(kMaxLogFieldBytes, 'y')),
            std::string(kMaxLogFieldBytes, 'y') + "...");
  EXPECT_EQ(SafeLogText(std::string(kMaxLogFieldBytes - 1, 'z')),
            std::string(kMaxLogFieldBytes - 1, 'z'));
}

sockaddr_storage V4(const char* ip, int port) {
  sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip, &in->sin_addr);
  return ss;
}

sockaddr_storage V6(const char* ip, int port) {
  sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET6, ip, &in6->sin6_addr);
  return ss;
}

TEST(AddressTest, EndpointsAndMappedAddresses) {
  Endpoint e = EndpointOf(V4("10.1.2.3", 25));
  EXPECT_EQ(e.ip, "10.1.2.3");
  EXPECT_EQ(e.port, 25u);
  EXPECT_FALSE(e.ipv6);
  e = EndpointOf(V6("::ffff:10.1.2.3", 26));
  EXPECT_EQ(e.ip, "10.1.2.3");
  EXPECT_FALSE(e.ipv6);
  e = EndpointOf(V6("2001:db8::1", 27));
  EXPECT_EQ(e.ip, "2001:db8::1");
  EXPECT_TRUE(e.ipv6);
}

TEST(AddressTest, ListenAddresses) {
  Result<sockaddr_storage> a = ResolveListenAddress("0", "25");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(EndpointOf(*a).ip, "0.0.0.0");
  a = ResolveListenAddress("::", "0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(EndpointOf(*a).ip, "::");
  a = ResolveListenAddress("127.0.0.2", "smtp");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(EndpointOf(*a).port, 25u);
  EXPECT_EQ(ResolveListenAddress("0", "nosuchservice").status().message(),
            "unable to figure out port number for nosuchservice");
  EXPECT_FALSE(ResolveListenAddress("0", "65536").ok());
}

TEST(HostLookupTest, ReverseQueryNames) {
  EXPECT_EQ(ReverseQueryName(V4("127.0.0.1", 0)), "1.0.0.127.in-addr.arpa");
  EXPECT_EQ(ReverseQueryName(V6("2001:db8::1", 0)),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
            "ip6.arpa");
}

}  // namespace
}  // namespace yubin::tcpserver
