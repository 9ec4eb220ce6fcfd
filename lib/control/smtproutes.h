// smtproutes.h: the control file `smtproutes`: where mail for a domain goes.
//
//   Result<SmtpRoutes> r = ParseSmtpRoutes({"example.com:relay.example:2525",
//                                           ".example.org:[192.0.2.7]",
//                                           ":smarthost.example"});
//   std::optional<SmtpRoute> route = r->Lookup("a.example.org");
//   // route->relay == "192.0.2.7", route->literal == true, route->port == 0
//
// One route a line, `domain:relay[:port]`, as in qmail, plus ports:
//   - `domain` matches that name exactly; `.suffix` every name ending in it;
//     an empty domain (`:relay`) matches everything (a smarthost);
//   - `relay` is a host name (its A/AAAA records are used, not its MX), an
//     address literal `[192.0.2.1]` or `[2001:db8::1]`, or empty: use the
//     domain's MX records as if there were no route (`domain:` exempts a
//     domain from a catch-all; `domain::2525` uses its MX on port 2525);
//   - `port` is 1..65535; port 0 in a route means "the default, 25".
// Lookup tries the exact name, then each `.suffix` from the longest, then
// the catch-all; the first line wins among duplicates. Names are compared
// without regard to case. A malformed line is a permanent error (the whole
// file is refused, never half-used).
#ifndef YUBIN_LIB_CONTROL_SMTPROUTES_H_
#define YUBIN_LIB_CONTROL_SMTPROUTES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::control {

inline constexpr size_t kMaxSmtpRoutes = 10000;

struct SmtpRoute {
  std::string relay;     // empty: use MX; a literal without its brackets
  bool literal = false;  // relay is an IP address
  bool ipv6 = false;     // the literal is IPv6
  int port = 0;          // 0: default (25)
  bool operator==(const SmtpRoute&) const = default;
};

class SmtpRoutes {
 public:
  std::optional<SmtpRoute> Lookup(std::string_view domain) const;
  size_t size() const { return routes_.size(); }

 private:
  friend Result<SmtpRoutes> ParseSmtpRoutes(
      const std::vector<std::string>& lines);
  std::map<std::string, SmtpRoute, std::less<>> routes_;  // key lowercase
};

// Parses one line into its domain key (lowercase) and route.
Result<std::pair<std::string, SmtpRoute>> ParseSmtpRouteLine(
    std::string_view line);
Result<SmtpRoutes> ParseSmtpRoutes(const std::vector<std::string>& lines);

// "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 address literals) to the
// bare address; nullopt when text is not a valid literal.
std::optional<std::pair<std::string, bool>> ParseAddressLiteral(
    std::string_view text);

}  // namespace yubin::control

#endif  // YUBIN_LIB_CONTROL_SMTPROUTES_H_
