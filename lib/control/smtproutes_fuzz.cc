// libFuzzer target for the smtproutes parser and its lookup.
//   bazel build --config=fuzz //lib/control:smtproutes_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/control/smtproutes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  while (!text.empty() && lines.size() < 64) {
    size_t nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view()
                                        : text.substr(nl + 1);
  }
  yubin::Result<yubin::control::SmtpRoutes> routes =
      yubin::control::ParseSmtpRoutes(lines);
  if (routes.ok()) {
    for (const std::string& l : lines) {
      std::string domain = l.substr(0, l.find(':'));
      std::optional<yubin::control::SmtpRoute> r = routes->Lookup(domain);
      // Every parsed line's own domain must find some route.
      if (!r) std::abort();
      if (r->port < 0 || r->port > 65535) std::abort();
      if (r->literal && r->relay.empty()) std::abort();
    }
  }
  return 0;
}
