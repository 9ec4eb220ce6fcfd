// Fuzz target for the service-directory value parsers (numbers, signals).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "supervise/service_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<int64_t> n = yubin::supervise::ParseConfigNumber(
      text, yubin::supervise::kMaxTimeoutMs);
  if (n && (*n < 0 || *n > yubin::supervise::kMaxTimeoutMs)) std::abort();
  std::optional<int> s = yubin::supervise::ParseSignal(text);
  if (s && (*s <= 0 || *s > 64)) std::abort();
  return 0;
}
