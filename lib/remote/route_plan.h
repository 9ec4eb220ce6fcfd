// route_plan.h: from a domain to the list of (address, port) to try.
//
//   std::mt19937 rng(seed);
//   Result<std::vector<Target>> t =
//       PlanRoute("example.com", control, resolver, LocalAddresses(), rng);
//   for (const Target& x : *t) ... connect to x.ip port x.port
//
// Order of decisions (docs/remote.md):
//  1. smtproutes: a route with a relay sends everything to that relay (its
//     A/AAAA records, or its address literal), on the route's port or 25;
//     no loop check is made, as in qmail (the relay is trusted).
//  2. otherwise the domain's MX records (a route with an empty relay may
//     still give the port), lowest preference first, random among equal;
//     no MX: the domain's own A/AAAA records; a domain literal [a.b.c.d]:
//     that address.
//  3. we must not deliver to ourselves: an MX whose name is ours (me,
//     helohost, localiphost, locals), or whose address is one of this
//     host's on port 25, marks our preference, and only better ones are
//     kept. Nothing left is the permanent "MX loop" error.
// Errors: permanent for NXDOMAIN, a null MX and a loop; temporary when DNS
// failed and no target is left.
#ifndef YUBIN_LIB_REMOTE_ROUTE_PLAN_H_
#define YUBIN_LIB_REMOTE_ROUTE_PLAN_H_

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/control/remote_control.h"
#include "lib/dns/resolver.h"

namespace yubin::remote {

inline constexpr int kSmtpPort = 25;
inline constexpr size_t kMaxTargets = 64;

struct Target {
  std::string name;  // the MX or relay name, or the literal
  dns::IpAddress ip;
  int port = kSmtpPort;
  int preference = 0;
};

// This host's addresses (every interface, and the wildcard addresses).
std::vector<dns::IpAddress> LocalAddresses();

Result<std::vector<Target>> PlanRoute(const std::string& domain,
                                      const control::RemoteControl& control,
                                      dns::DnsLookup& dns,
                                      const std::vector<dns::IpAddress>& ours,
                                      std::mt19937& rng);
// The same, asking for our addresses only when the loop rule needs them
// (not for a route with a relay, which returns before).
Result<std::vector<Target>> PlanRoute(
    const std::string& domain, const control::RemoteControl& control, dns::DnsLookup& dns,
    const std::function<const std::vector<dns::IpAddress>&()>& ours, std::mt19937& rng);

}  // namespace yubin::remote

#endif  // YUBIN_LIB_REMOTE_ROUTE_PLAN_H_
