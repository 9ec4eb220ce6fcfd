// Fuzz target for the envdir file parser: any bytes give a value or none,
// and a value never holds a NUL or ends in a space or tab.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/chain/envdir_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> v = yubin::chain::EnvdirValue(in);
  if (v.has_value() == in.empty()) std::abort();
  if (v) {
    if (v->find('\0') != std::string::npos) std::abort();
    if (!v->empty() && (v->back() == ' ' || v->back() == '\t')) std::abort();
    if (v->size() > in.size()) std::abort();
  }
  return 0;
}
