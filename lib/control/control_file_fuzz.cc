// libFuzzer target for the control-file parser.
//   bazel build --config=fuzz //lib/control:control_file_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/control/control_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lines = yubin::control::ParseControlLines(text);
  if (lines.ok()) {
    for (const std::string& l : *lines) {
      // Entries are trimmed, bounded, non-empty and never comments.
      if (l.empty() || l.size() > yubin::control::kMaxControlLineBytes ||
          l.front() == '#' || l.front() == ' ' || l.back() == ' ' ||
          l.find('\n') != std::string::npos) {
        std::abort();
      }
    }
  }
  (void)yubin::control::ParseDecimal(text, 1000000);
  return 0;
}
