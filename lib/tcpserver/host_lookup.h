// host_lookup.h: TCPLOCALHOST / TCPREMOTEHOST from DNS, as ucspi-tcp does.
//
//   std::optional<std::string> name = LookUpHostName(addr);   // PTR record
//   if (name && paranoid && !HostNameHasAddress(*name, addr)) name.reset();
//
// Like ucspi-tcp (which uses djbdns' resolver), the lookup asks DNS only,
// through the servers in /etc/resolv.conf; /etc/hosts is not consulted. Any
// failure (no record, no server, timeout) is simply "no name". Names are
// returned lowercased, bounded by kMaxHostNameBytes.
#ifndef YUBIN_LIB_TCPSERVER_HOST_LOOKUP_H_
#define YUBIN_LIB_TCPSERVER_HOST_LOOKUP_H_

#include <sys/socket.h>

#include <optional>
#include <string>

namespace yubin::tcpserver {

inline constexpr size_t kMaxHostNameBytes = 255;

// The DNS name a PTR query asks for, e.g. "1.0.0.127.in-addr.arpa".
std::string ReverseQueryName(const sockaddr_storage& addr);

std::optional<std::string> LookUpHostName(const sockaddr_storage& addr);

// Whether an A (or AAAA) record of name holds addr's address: -p.
bool HostNameHasAddress(const std::string& name, const sockaddr_storage& addr);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_HOST_LOOKUP_H_
