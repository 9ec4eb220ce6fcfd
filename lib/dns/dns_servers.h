// dns_servers.h: the control file `dnsservers`: which DNS servers to ask.
//
//   Result<DnsServer> s = ParseDnsServer("[::1]:5353");
//   // s->address == "::1", s->port == 5353, s->ipv6 == true
//   Result<std::string> csv = DnsServersCsv({"127.0.0.1:5300"});
//   // "127.0.0.1:5300", the form c-ares' ares_set_servers_ports_csv takes
//
// One server a line: `ip`, `ip:port`, or `[ipv6]:port` (a bare IPv6 address
// without a port is accepted too). Anything else (a name, a port of 0 or
// over 65535, more than kMaxDnsServers lines) is a permanent error: the
// program must not silently ask a different server than configured.
#ifndef YUBIN_LIB_DNS_DNS_SERVERS_H_
#define YUBIN_LIB_DNS_DNS_SERVERS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::dns {

inline constexpr size_t kMaxDnsServers = 16;
inline constexpr uint16_t kDnsPort = 53;

struct DnsServer {
  std::string address;  // numeric, without brackets
  uint16_t port = kDnsPort;
  bool ipv6 = false;
};

Result<DnsServer> ParseDnsServer(std::string_view line);
// Joins servers (each a `dnsservers` line) into c-ares' "a:p,[b]:p" list.
Result<std::string> DnsServersCsv(const std::vector<std::string>& lines);

}  // namespace yubin::dns

#endif  // YUBIN_LIB_DNS_DNS_SERVERS_H_
