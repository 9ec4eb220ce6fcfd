#include "lib/tcpserver/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace yubin::tcpserver {
namespace {

constexpr unsigned kMaxPort = 65535;

Result<unsigned> ResolvePort(const std::string& port) {
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    unsigned long n = std::stoul(port);
    if (n <= kMaxPort) return static_cast<unsigned>(n);
  } else if (const servent* se = getservbyname(port.c_str(), "tcp")) {
    return static_cast<unsigned>(ntohs(static_cast<uint16_t>(se->s_port)));
  }
  return Status::Temporary("unable to figure out port number for " + port);
}

}  // namespace

Result<sockaddr_storage> ResolveListenAddress(const std::string& host,
                                              const std::string& port) {
  Result<unsigned> p = ResolvePort(port);
  if (!p.ok()) return p.status();
  sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  const uint16_t nport = htons(static_cast<uint16_t>(*p));
  if (host == "0") {
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_ANY);
    in->sin_port = nport;
    return ss;
  }
  if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = nport;
    return ss;
  }
  if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = nport;
    return ss;
  }
  addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
    return Status::Temporary("unable to figure out IP address for " + host);
  memcpy(&ss, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (ss.ss_family == AF_INET) in->sin_port = nport;
  else in6->sin6_port = nport;
  return ss;
}

sockaddr_storage UnmapIpv4(const sockaddr_storage& addr) {
  if (addr.ss_family != AF_INET6) return addr;
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return addr;
  sockaddr_storage out;
  memset(&out, 0, sizeof out);
  auto* in = reinterpret_cast<sockaddr_in*>(&out);
  in->sin_family = AF_INET;
  in->sin_port = in6->sin6_port;
  memcpy(&in->sin_addr, in6->sin6_addr.s6_addr + 12, 4);
  return out;
}

Endpoint EndpointOf(const sockaddr_storage& raw) {
  sockaddr_storage addr = UnmapIpv4(raw);
  char buf[INET6_ADDRSTRLEN];
  Endpoint e;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    e.port = ntohs(in->sin_port);
  } else {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    e.port = ntohs(in6->sin6_port);
    e.ipv6 = true;
  }
  e.ip = buf;
  return e;
}

}  // namespace yubin::tcpserver
