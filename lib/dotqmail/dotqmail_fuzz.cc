// Fuzz target for the .qmail parser: any input parses or fails cleanly, and
// what parses respects the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/dotqmail/dotqmail_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = yubin::dotqmail::ParseDotQmail(text);
  if (!r.ok()) {
    if (!r.status().temporary()) std::abort();
    return 0;
  }
  if (r->size() > yubin::dotqmail::kMaxInstructions) std::abort();
  for (const auto& ins : *r) {
    if (ins.target.empty() || ins.target.size() > yubin::dotqmail::kMaxDotQmailLine) {
      std::abort();
    }
    if (ins.target.find('\n') != std::string::npos) std::abort();
  }
  return 0;
}
