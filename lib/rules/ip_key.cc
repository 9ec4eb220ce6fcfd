#include "lib/rules/ip_key.h"

#include <arpa/inet.h>


namespace yubin::rules {
namespace {

constexpr size_t kMaxIpv6Text = 64;  // longer text is no address
constexpr int kIpv6Groups = 8;

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

char Lower(char c) { return (c >= 'A' && c <= 'F') ? c - 'A' + 'a' : c; }

}  // namespace

std::optional<std::string> ExpandIpv6(std::string_view text) {
  if (text.size() >= kMaxIpv6Text || text.find(':') == std::string_view::npos)
    return std::nullopt;
  char buf[kMaxIpv6Text];
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  unsigned char addr[16];
  if (inet_pton(AF_INET6, buf, addr) != 1) return std::nullopt;
  std::string out;
  out.reserve(kExpandedIpv6Length);
  static const char kDigits[] = "0123456789abcdef";
  for (int g = 0; g < kIpv6Groups; ++g) {
    if (g) out += ':';
    for (int b = 0; b < 2; ++b) {
      unsigned char byte = addr[2 * g + b];
      out += kDigits[byte >> 4];
      out += kDigits[byte & 15];
    }
  }
  return out;
}

std::optional<std::string> ExpandIpv6Prefix(std::string_view text) {
  if (text.empty() || text.back() != ':') return std::nullopt;
  std::string out;
  int groups = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t colon = text.find(':', start);
    size_t len = colon - start;
    if (len == 0 || len > 4) return std::nullopt;
    for (size_t i = start; i < colon; ++i)
      if (!IsHex(text[i])) return std::nullopt;
    if (++groups >= kIpv6Groups) return std::nullopt;
    out.append(4 - len, '0');
    for (size_t i = start; i < colon; ++i) out += Lower(text[i]);
    out += ':';
    start = colon + 1;
  }
  return out;
}

std::string RuleKeyForIp(std::string_view ip) {
  if (std::optional<std::string> expanded = ExpandIpv6(ip)) return *expanded;
  return std::string(ip);
}

}  // namespace yubin::rules
