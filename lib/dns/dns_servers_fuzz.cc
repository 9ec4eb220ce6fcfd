// libFuzzer target for the `dnsservers` line parser.
//   bazel build --config=fuzz //lib/dns:dns_servers_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/dns/dns_servers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yubin::Result<yubin::dns::DnsServer> s = yubin::dns::ParseDnsServer(text);
  if (s.ok()) {
    // A parsed server always formats into a line that parses the same.
    std::string line = s->ipv6 ? "[" + s->address + "]:" : s->address + ":";
    line += std::to_string(s->port);
    yubin::Result<yubin::dns::DnsServer> again =
        yubin::dns::ParseDnsServer(line);
    if (!again.ok() || again->address != s->address ||
        again->port != s->port || again->ipv6 != s->ipv6) {
      std::abort();
    }
  }
  return 0;
}
