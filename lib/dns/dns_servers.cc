#include "lib/dns/dns_servers.h"

#include <arpa/inet.h>

#include "lib/control/control_file.h"

namespace yubin::dns {
namespace {

// inet_pton stops at a NUL; an address with one inside is not an address.
bool IsIpv4(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  in_addr a;
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool IsIpv6(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  in6_addr a;
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

Status Bad(std::string_view line, std::string_view why) {
  return Status::Permanent("dnsservers: " + std::string(why) + ": " +
                           std::string(line.substr(0, 100)));
}

}  // namespace

Result<DnsServer> ParseDnsServer(std::string_view line) {
  DnsServer server;
  std::string_view port_text;
  if (!line.empty() && line.front() == '[') {
    size_t close = line.find(']');
    if (close == std::string_view::npos) return Bad(line, "missing ]");
    server.address = std::string(line.substr(1, close - 1));
    std::string_view rest = line.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Bad(line, "junk after ]");
      port_text = rest.substr(1);
      if (port_text.empty()) return Bad(line, "empty port");
    }
    if (!IsIpv6(server.address)) return Bad(line, "not an IPv6 address");
    server.ipv6 = true;
  } else {
    size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        line.find(':', colon + 1) != std::string_view::npos) {
      server.address = std::string(line);  // bare IPv6, default port
      if (!IsIpv6(server.address)) return Bad(line, "not an address");
      server.ipv6 = true;
    } else {
      server.address = std::string(line.substr(0, colon));
      if (colon != std::string_view::npos) {
        port_text = line.substr(colon + 1);
        if (port_text.empty()) return Bad(line, "empty port");
      }
      if (!IsIpv4(server.address)) return Bad(line, "not an IPv4 address");
    }
  }
  if (!port_text.empty()) {
    std::optional<uint64_t> port = control::ParseDecimal(port_text, 65535);
    if (!port || *port == 0) return Bad(line, "bad port");
    server.port = static_cast<uint16_t>(*port);
  }
  return server;
}

Result<std::string> DnsServersCsv(const std::vector<std::string>& lines) {
  if (lines.size() > kMaxDnsServers) {
    return Status::Permanent("dnsservers: more than " +
                             std::to_string(kMaxDnsServers) + " servers");
  }
  std::string csv;
  for (const std::string& line : lines) {
    Result<DnsServer> s = ParseDnsServer(line);
    if (!s.ok()) return s.status();
    if (!csv.empty()) csv += ',';
    if (s->ipv6) {
      csv += "[" + s->address + "]:" + std::to_string(s->port);
    } else {
      csv += s->address + ":" + std::to_string(s->port);
    }
  }
  return csv;
}

}  // namespace yubin::dns
