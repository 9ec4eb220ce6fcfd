// resolver.h: MX, A and AAAA lookups through c-ares, with bounded time.
//
//   ResolverOptions o;                       // servers: /etc/resolv.conf
//   o.servers_csv = "127.0.0.1:5300";        // or from control/dnsservers
//   Result<std::unique_ptr<Resolver>> r = Resolver::Create(o);
//   Result<std::vector<MxRecord>> mx = (*r)->LookupMx("example.com");
//   Result<std::vector<IpAddress>> ips = (*r)->LookupAddresses("mx.example");
//
// Errors: NXDOMAIN (and a null MX, RFC 7505) is permanent; SERVFAIL,
// REFUSED, timeouts and every other failure are temporary. A name that
// exists without records of the asked type gives an empty list, not an
// error: the caller decides (no MX means "use the A/AAAA records"). Every
// query is bounded by timeout_ms per try, `tries` tries per server.
#ifndef YUBIN_LIB_DNS_RESOLVER_H_
#define YUBIN_LIB_DNS_RESOLVER_H_

#include <memory>
#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/dns/mx_order.h"

namespace yubin::dns {

inline constexpr int kDefaultDnsTimeoutMs = 5000;
inline constexpr int kDefaultDnsTries = 2;
inline constexpr size_t kMaxMxRecords = 64;
inline constexpr size_t kMaxAddressesPerHost = 32;

struct ResolverOptions {
  std::string servers_csv;  // "ip:port,[ip6]:port"; empty: resolv.conf
  int timeout_ms = kDefaultDnsTimeoutMs;
  int tries = kDefaultDnsTries;
};

struct IpAddress {
  bool ipv6 = false;
  std::string text;  // numeric form, no brackets
  bool operator==(const IpAddress&) const = default;
};

// What routing needs from DNS; Resolver is the real one, unit tests of
// routing use a table.
class DnsLookup {
 public:
  virtual ~DnsLookup() = default;
  virtual Result<std::vector<MxRecord>> LookupMx(const std::string& domain) = 0;
  virtual Result<std::vector<IpAddress>> LookupAddresses(
      const std::string& host) = 0;
};

struct QuerySlot;  // one query's answer, filled in by c-ares' callback

class Resolver : public DnsLookup {
 public:
  static Result<std::unique_ptr<Resolver>> Create(
      const ResolverOptions& options);
  ~Resolver() override;
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // MX records of domain, unordered (see OrderMxRecords), hosts lowercased
  // without the trailing dot. At most kMaxMxRecords.
  Result<std::vector<MxRecord>> LookupMx(const std::string& domain) override;
  // IPv4 then IPv6 addresses of host. A permanent error only when both
  // lookups say the name does not exist.
  Result<std::vector<IpAddress>> LookupAddresses(
      const std::string& host) override;

 private:
  explicit Resolver(void* channel) : channel_(channel) {}
  QuerySlot Query(const std::string& name, int type);
  void* channel_;  // ares_channel
};

}  // namespace yubin::dns

#endif  // YUBIN_LIB_DNS_RESOLVER_H_
