#include "lib/control/remote_control.h"

#include <arpa/inet.h>

#include "lib/control/control_file.h"
#include "lib/control/smtpd_control.h"

namespace yubin::control {
namespace {

// A timeout file: 0 means the default, as for timeoutsmtpd.
Result<uint64_t> ReadTimeout(const std::string& path, uint64_t fallback) {
  Result<uint64_t> n = ReadControlNumber(path, fallback, kMaxRemoteTimeout);
  if (!n.ok()) return n.status();
  return *n == 0 ? fallback : *n;
}

}  // namespace

bool RemoteControl::IsOurName(std::string_view host) const {
  std::string h = AsciiLower(host);
  return h == AsciiLower(me) || h == AsciiLower(helohost) ||
         h == AsciiLower(localiphost) || locals.count(h) > 0;
}

Result<RemoteControl> LoadRemoteControl(const std::string& control_dir,
                                        std::string_view hostname) {
  RemoteControl c;
  const std::string dir = control_dir + "/";
  Result<std::string> me = ReadControlValue(dir + "me", hostname);
  if (!me.ok()) return me.status();
  c.me = *me;
  Result<std::string> helo = ReadControlValue(dir + "helohost", c.me);
  if (!helo.ok()) return helo.status();
  c.helohost = *helo;
  // It goes into the EHLO line: no blanks or control bytes.
  for (char ch : c.helohost) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (u <= 32 || u == 127) {
      return Status::Permanent("helohost: not a host name: " + c.helohost);
    }
  }
  Result<std::string> lip = ReadControlValue(dir + "localiphost", c.me);
  if (!lip.ok()) return lip.status();
  c.localiphost = *lip;
  Result<std::optional<std::vector<std::string>>> locals =
      ReadControlLines(dir + "locals");
  if (!locals.ok()) return locals.status();
  if (locals->has_value()) {
    for (const std::string& l : **locals) c.locals.insert(AsciiLower(l));
  } else {
    c.locals.insert(AsciiLower(c.me));
  }
  Result<std::optional<std::vector<std::string>>> routes =
      ReadControlLines(dir + "smtproutes");
  if (!routes.ok()) return routes.status();
  if (routes->has_value()) {
    Result<SmtpRoutes> parsed = ParseSmtpRoutes(**routes);
    if (!parsed.ok()) return parsed.status();
    c.routes = std::move(*parsed);
  }
  Result<std::optional<std::vector<std::string>>> dns =
      ReadControlLines(dir + "dnsservers");
  if (!dns.ok()) return dns.status();
  if (dns->has_value()) c.dnsservers = **dns;
  Result<uint64_t> tc = ReadTimeout(dir + "timeoutconnect",
                                    kDefaultTimeoutConnect);
  if (!tc.ok()) return tc.status();
  c.timeout_connect = *tc;
  Result<uint64_t> tr = ReadTimeout(dir + "timeoutremote",
                                    kDefaultTimeoutRemote);
  if (!tr.ok()) return tr.status();
  c.timeout_remote = *tr;
  Result<uint64_t> td = ReadTimeout(dir + "timeoutdns", kDefaultTimeoutDns);
  if (!td.ok()) return td.status();
  c.timeout_dns = *td;
  Result<std::string> ip = ReadControlValue(dir + "outgoingip", "");
  if (!ip.ok()) return ip.status();
  if (!ip->empty()) {  // ReadControlValue already refuses NUL bytes
    in_addr a4;
    in6_addr a6;
    if (inet_pton(AF_INET, ip->c_str(), &a4) != 1 &&
        inet_pton(AF_INET6, ip->c_str(), &a6) != 1) {
      return Status::Permanent("outgoingip: not an IP address: " + *ip);
    }
    c.outgoingip = *ip;
  }
  return c;
}

}  // namespace yubin::control
