// libFuzzer target for the RFC 5321 path parser.
//   bazel build --config=fuzz //lib/address:address_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/address/address.h"

using yubin::address::ParsePath;
using yubin::address::PathKind;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (PathKind kind : {PathKind::kReverse, PathKind::kForward}) {
    auto path = ParsePath(text, kind);
    if (!path.ok()) continue;
    if (path->is_null) {
      if (text != "<>") std::abort();
      continue;
    }
    const auto& m = path->mailbox;
    if (m.domain.size() > yubin::address::kMaxDomainBytes) std::abort();
    if (m.local.size() > yubin::address::kMaxLocalPartBytes) std::abort();
    // What we print must parse back to the same mailbox.
    auto again = ParsePath("<" + m.ToString() + ">", kind);
    if (!again.ok() || again->mailbox.local != m.local ||
        again->mailbox.domain != m.domain) {
      std::abort();
    }
  }
  (void)yubin::address::IsValidDomain(text);
  return 0;
}
