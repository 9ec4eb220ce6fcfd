#include "lib/tcpserver/host_lookup.h"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>

namespace yubin::tcpserver {
namespace {

constexpr size_t kMaxAnswerBytes = 4096;

std::string Lowercase(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Runs one query; returns the parsed answer count, or -1.
int Query(const std::string& name, int type, unsigned char* answer,
          ns_msg* msg) {
  int len = res_query(name.c_str(), ns_c_in, type, answer,
                      static_cast<int>(kMaxAnswerBytes));
  if (len < 0) return -1;
  if (ns_initparse(answer, len, msg) != 0) return -1;
  return ns_msg_count(*msg, ns_s_an);
}

}  // namespace

std::string ReverseQueryName(const sockaddr_storage& addr) {
  static const char kHex[] = "0123456789abcdef";
  std::string name;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    const auto* b = reinterpret_cast<const unsigned char*>(&in->sin_addr);
    for (int i = 3; i >= 0; --i) name += std::to_string(b[i]) + ".";
    return name + "in-addr.arpa";
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  const unsigned char* b = in6->sin6_addr.s6_addr;
  for (int i = 15; i >= 0; --i) {
    name += kHex[b[i] & 15];
    name += '.';
    name += kHex[b[i] >> 4];
    name += '.';
  }
  return name + "ip6.arpa";
}

std::optional<std::string> LookUpHostName(const sockaddr_storage& addr) {
  unsigned char answer[kMaxAnswerBytes];
  ns_msg msg;
  int count = Query(ReverseQueryName(addr), ns_t_ptr, answer, &msg);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) return std::nullopt;
    if (ns_rr_type(rr) != ns_t_ptr) continue;
    char name[NS_MAXDNAME];
    if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr), name,
                  sizeof name) < 0)
      return std::nullopt;
    size_t len = strnlen(name, sizeof name);
    if (len == 0 || len > kMaxHostNameBytes) return std::nullopt;
    return Lowercase(std::string(name, len));
  }
  return std::nullopt;
}

bool HostNameHasAddress(const std::string& name, const sockaddr_storage& addr) {
  const bool v4 = addr.ss_family == AF_INET;
  const void* want =
      v4 ? static_cast<const void*>(
               &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr)
         : static_cast<const void*>(
               &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr);
  const size_t want_len = v4 ? 4 : 16;
  unsigned char answer[kMaxAnswerBytes];
  ns_msg msg;
  int count = Query(name, v4 ? ns_t_a : ns_t_aaaa, answer, &msg);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) return false;
    if (ns_rr_rdlen(rr) == want_len &&
        memcmp(ns_rr_rdata(rr), want, want_len) == 0)
      return true;
  }
  return false;
}

}  // namespace yubin::tcpserver
