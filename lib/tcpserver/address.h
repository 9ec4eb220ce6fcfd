// address.h: tcpserver's host and port arguments, and addresses as text.
//
//   Result<sockaddr_storage> a = ResolveListenAddress("0", "smtp");
//   //  "0" = every IPv4 address, "::" = every address (IPv4 too),
//   //  an address literal, or a host name (its first address);
//   //  port: a number or a name from /etc/services
//   Endpoint e = EndpointOf(peer);   // {"127.0.0.1", 5678, false}
//
// IPv4-mapped IPv6 addresses (a v4 client on a "::" socket) are shown as
// plain IPv4, so rules and logs see one spelling per client. Errors are
// temporary Statuses in ucspi-tcp's words ("unable to figure out port
// number for X", "unable to figure out IP address for X").
#ifndef YUBIN_LIB_TCPSERVER_ADDRESS_H_
#define YUBIN_LIB_TCPSERVER_ADDRESS_H_

#include <sys/socket.h>

#include <string>

#include "lib/base/status.h"

namespace yubin::tcpserver {

Result<sockaddr_storage> ResolveListenAddress(const std::string& host,
                                              const std::string& port);

// Rewrites an IPv4-mapped IPv6 address as AF_INET; others stay as they are.
sockaddr_storage UnmapIpv4(const sockaddr_storage& addr);

struct Endpoint {
  std::string ip;      // dotted decimal, or compact IPv6
  unsigned port = 0;
  bool ipv6 = false;
};

Endpoint EndpointOf(const sockaddr_storage& addr);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_ADDRESS_H_
