// Fuzz target for the sendmail aliases parser: any input parses or fails
// with a permanent status; entries have names without blanks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/aliases/aliases_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = yubin::aliases::ParseAliases(text);
  if (!r.ok()) {
    if (!r.status().permanent()) std::abort();
    return 0;
  }
  for (const auto& e : r->entries) {
    if (e.name.empty() || e.name.find(' ') != std::string::npos) std::abort();
    if (e.line == 0) std::abort();
  }
  return 0;
}
