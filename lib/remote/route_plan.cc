#include "lib/remote/route_plan.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <climits>

#include "lib/control/smtpd_control.h"
#include "lib/control/smtproutes.h"
#include "lib/dns/mx_order.h"

namespace yubin::remote {
namespace {

Status LoopError() {
  return Status::Permanent(
      "Sorry. Although I'm listed as a best-preference MX or A for that "
      "host, it isn't in my control/locals file, so I don't treat it as "
      "local. (#5.4.6)");
}

bool Contains(const std::vector<dns::IpAddress>& list,
              const dns::IpAddress& ip) {
  // Compare in binary: "::1" and "0:0::1" are the same address.
  unsigned char a[16] = {}, b[16] = {};
  if (inet_pton(ip.ipv6 ? AF_INET6 : AF_INET, ip.text.c_str(), a) != 1) {
    return false;
  }
  for (const dns::IpAddress& x : list) {
    if (x.ipv6 != ip.ipv6) continue;
    std::fill(std::begin(b), std::end(b), 0);
    if (inet_pton(x.ipv6 ? AF_INET6 : AF_INET, x.text.c_str(), b) == 1 &&
        std::equal(std::begin(a), std::end(a), std::begin(b))) {
      return true;
    }
  }
  return false;
}

Result<std::vector<Target>> RelayTargets(const control::SmtpRoute& route,
                                         dns::DnsLookup& dns) {
  int port = route.port != 0 ? route.port : kSmtpPort;
  if (route.literal) {
    return std::vector<Target>{
        {"[" + route.relay + "]", {route.ipv6, route.relay}, port, 0}};
  }
  Result<std::vector<dns::IpAddress>> ips = dns.LookupAddresses(route.relay);
  if (!ips.ok()) return ips.status();
  if (ips->empty()) {
    return Status::Permanent("Sorry, I couldn't find any host named " +
                             route.relay + ". (#5.1.2)");
  }
  std::vector<Target> targets;
  for (const dns::IpAddress& ip : *ips) {
    if (targets.size() < kMaxTargets) {
      targets.push_back({route.relay, ip, port, 0});
    }
  }
  return targets;
}

}  // namespace

std::vector<dns::IpAddress> LocalAddresses() {
  std::vector<dns::IpAddress> out = {{false, "0.0.0.0"}, {true, "::"}};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN];
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
      out.push_back({false, text});
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
      out.push_back({true, text});
    }
  }
  freeifaddrs(list);
  return out;
}

Result<std::vector<Target>> PlanRoute(const std::string& domain,
                                      const control::RemoteControl& control,
                                      dns::DnsLookup& dns,
                                      const std::vector<dns::IpAddress>& ours,
                                      std::mt19937& rng) {
  return PlanRoute(domain, control, dns, [&]() -> const std::vector<dns::IpAddress>& {
    return ours;
  }, rng);
}

Result<std::vector<Target>> PlanRoute(
    const std::string& domain, const control::RemoteControl& control, dns::DnsLookup& dns,
    const std::function<const std::vector<dns::IpAddress>&()>& ours_fn, std::mt19937& rng) {
  std::string d = control::AsciiLower(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty()) return Status::Permanent("empty host name (#5.1.2)");
  std::optional<control::SmtpRoute> route = control.routes.Lookup(d);
  if (route && !route->relay.empty()) return RelayTargets(*route, dns);
  int port = route && route->port != 0 ? route->port : kSmtpPort;

  std::vector<dns::MxRecord> exchangers;
  std::vector<Target> targets;
  if (std::optional<std::pair<std::string, bool>> lit =
          control::ParseAddressLiteral(d)) {
    targets.push_back({d, {lit->second, lit->first}, port, 0});
  } else {
    Result<std::vector<dns::MxRecord>> mx = dns.LookupMx(d);
    if (!mx.ok()) return mx.status();
    exchangers = std::move(*mx);
    if (exchangers.empty()) exchangers.push_back({0, d});  // RFC 5321 5.1
    Result<std::vector<dns::MxRecord>> ordered = dns::OrderMxRecords(
        std::move(exchangers),
        [&](const std::string& h) { return control.IsOurName(h); }, rng);
    if (!ordered.ok()) return ordered.status();
    Status last_error;
    for (const dns::MxRecord& m : *ordered) {
      Result<std::vector<dns::IpAddress>> ips = dns.LookupAddresses(m.host);
      if (!ips.ok()) {
        // A temporary failure wins over a permanent one: retry later.
        if (last_error.ok() || ips.status().temporary()) {
          last_error = ips.status();
        }
        continue;
      }
      for (const dns::IpAddress& ip : *ips) {
        if (targets.size() < kMaxTargets) {
          targets.push_back({m.host, ip, port, m.preference});
        }
      }
    }
    if (targets.empty()) {
      if (!last_error.ok()) return last_error;
      return Status::Permanent("Sorry, no mail exchanger of " + d +
                               " has an address. (#5.4.4)");
    }
  }
  // Our own addresses count only on port 25, where yubin-smtpd listens; a
  // route to another local port (a filter, a test server) is not a loop.
  int ours_pref = INT_MAX;
  const std::vector<dns::IpAddress>& ours = ours_fn();
  for (const Target& t : targets) {
    if (t.port == kSmtpPort && Contains(ours, t.ip)) {
      ours_pref = std::min(ours_pref, t.preference);
    }
  }
  if (ours_pref != INT_MAX) {
    std::vector<Target> better;
    for (const Target& t : targets) {
      if (t.preference < ours_pref) better.push_back(t);
    }
    if (better.empty()) return LoopError();
    targets = std::move(better);
  }
  return targets;
}

}  // namespace yubin::remote
