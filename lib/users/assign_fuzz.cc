// Fuzz target for the users/assign parser: any input parses or fails with a
// permanent status, and parsed entries respect the format's invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/users/assign.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = yubin::users::ParseAssign(text);
  if (!r.ok()) {
    if (!r.status().permanent()) std::abort();
    return 0;
  }
  for (const auto& e : *r) {
    if (e.user.empty() || e.home.empty() || e.home[0] != '/') std::abort();
    if (e.local.find(':') != std::string::npos) std::abort();
  }
  return 0;
}
