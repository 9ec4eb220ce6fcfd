// libFuzzer target for the TAI64N label parser and tai64nlocal's converter.
//   bazel build --config=fuzz //lib/base:tai64n_fuzz && bazel-bin/lib/base/tai64n_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/base/tai64n.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (std::optional<yubin::Tai64n> t = yubin::ParseTai64nLabel(text)) {
    // Whatever parses must format back to the same label (lowercased).
    std::string label = yubin::FormatTai64nLabel(*t);
    for (size_t i = 0; i < label.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      if (label[i] != c) std::abort();
    }
  }
  (void)yubin::ConvertTai64nLine(text);
  return 0;
}
