#include "lib/control/smtproutes.h"

#include <arpa/inet.h>

#include "lib/control/control_file.h"
#include "lib/control/smtpd_control.h"

namespace yubin::control {
namespace {

Status Bad(std::string_view line, std::string_view why) {
  return Status::Permanent("smtproutes: " + std::string(why) + ": " +
                           std::string(line.substr(0, 200)));
}

bool ValidHostName(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  for (char c : h) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<std::pair<std::string, bool>> ParseAddressLiteral(
    std::string_view text) {
  if (text.size() < 3 || text.front() != '[' || text.back() != ']') {
    return std::nullopt;
  }
  std::string inner(text.substr(1, text.size() - 2));
  // inet_pton stops at a NUL; a literal with one inside is not an address.
  if (inner.find('\0') != std::string::npos) return std::nullopt;
  if (inner.size() > 5 && AsciiLower(inner.substr(0, 5)) == "ipv6:") {
    inner = inner.substr(5);
  }
  in_addr a4;
  in6_addr a6;
  if (inet_pton(AF_INET, inner.c_str(), &a4) == 1) {
    return std::make_pair(inner, false);
  }
  if (inet_pton(AF_INET6, inner.c_str(), &a6) == 1) {
    return std::make_pair(inner, true);
  }
  return std::nullopt;
}

Result<std::pair<std::string, SmtpRoute>> ParseSmtpRouteLine(
    std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Bad(line, "no ':'");
  std::string domain = AsciiLower(line.substr(0, colon));
  if (!domain.empty()) {
    std::string_view name = domain;
    if (name.front() == '.') name.remove_prefix(1);
    if (!ValidHostName(name)) return Bad(line, "bad domain");
  }
  std::string_view rest = line.substr(colon + 1);
  SmtpRoute route;
  std::string_view port_text;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Bad(line, "missing ']'");
    std::optional<std::pair<std::string, bool>> lit =
        ParseAddressLiteral(rest.substr(0, close + 1));
    if (!lit) return Bad(line, "bad address literal");
    route.relay = lit->first;
    route.ipv6 = lit->second;
    route.literal = true;
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Bad(line, "junk after ']'");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    size_t c2 = rest.find(':');
    std::string_view relay = rest.substr(0, c2);
    if (!relay.empty()) {
      if (!ValidHostName(relay)) return Bad(line, "bad relay");
      route.relay = AsciiLower(relay);
    }
    if (c2 != std::string_view::npos) {
      port_text = rest.substr(c2 + 1);
      has_port = true;
    }
  }
  if (has_port) {
    std::optional<uint64_t> port = ParseDecimal(port_text, 65535);
    if (!port || *port == 0) return Bad(line, "bad port");
    route.port = static_cast<int>(*port);
  }
  return std::make_pair(domain, route);
}

Result<SmtpRoutes> ParseSmtpRoutes(const std::vector<std::string>& lines) {
  if (lines.size() > kMaxSmtpRoutes) {
    return Status::Permanent("smtproutes: more than " +
                             std::to_string(kMaxSmtpRoutes) + " routes");
  }
  SmtpRoutes routes;
  for (const std::string& line : lines) {
    Result<std::pair<std::string, SmtpRoute>> r = ParseSmtpRouteLine(line);
    if (!r.ok()) return r.status();
    routes.routes_.emplace(r->first, r->second);  // the first line wins
  }
  return routes;
}

std::optional<SmtpRoute> SmtpRoutes::Lookup(std::string_view domain) const {
  std::string d = AsciiLower(domain);
  auto exact = routes_.find(d);
  if (exact != routes_.end()) return exact->second;
  for (size_t pos = d.find('.'); pos != std::string::npos;
       pos = d.find('.', pos + 1)) {
    auto it = routes_.find(std::string_view(d).substr(pos));
    if (it != routes_.end()) return it->second;
  }
  auto all = routes_.find("");
  if (all != routes_.end()) return all->second;
  return std::nullopt;
}

}  // namespace yubin::control
