// ip_key.h: how an IP address is spelled in a rules cdb key.
//
//   std::string key = RuleKeyForIp("2001:db8::1");
//   // "2001:0db8:0000:0000:0000:0000:0000:0001"
//   std::string k4 = RuleKeyForIp("127.0.0.1");   // "127.0.0.1", unchanged
//
// IPv4 addresses are keys as they are (dotted decimal, as ucspi-tcp).
// IPv6 addresses follow ucspi-tcp6's idea of one canonical, expanded
// spelling so that prefixes can be matched as strings: eight groups of four
// lowercase hex digits joined by ':'. A prefix rule names whole leading
// groups and ends with ':' ("2001:db8:" becomes "2001:0db8:"), just as an
// IPv4 prefix ends with '.'. Nothing here fails: text that is not an IPv6
// address is returned unchanged.
#ifndef YUBIN_LIB_RULES_IP_KEY_H_
#define YUBIN_LIB_RULES_IP_KEY_H_

#include <optional>
#include <string>
#include <string_view>

namespace yubin::rules {

// Bytes of an expanded IPv6 key: 8 groups of 4 digits and 7 colons.
inline constexpr size_t kExpandedIpv6Length = 39;

// The expanded spelling of an IPv6 address in any inet_pton form, or nullopt.
std::optional<std::string> ExpandIpv6(std::string_view text);

// The expanded spelling of an IPv6 group prefix such as "2001:db8:" (1 to 7
// groups of 1 to 4 hex digits, each followed by ':'), or nullopt.
std::optional<std::string> ExpandIpv6Prefix(std::string_view text);

// The key a connection from ip is looked up under (see above).
std::string RuleKeyForIp(std::string_view ip);

}  // namespace yubin::rules

#endif  // YUBIN_LIB_RULES_IP_KEY_H_
