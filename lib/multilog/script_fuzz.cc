// libFuzzer target for the multilog script parser and pattern matcher.
//   bazel build --config=fuzz //lib/multilog:script_fuzz && bazel-bin/lib/multilog/script_fuzz
// Input: NUL-separated script arguments; the last argument is also matched
// as a line against every pattern.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "lib/multilog/pattern.h"
#include "lib/multilog/script.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> args;
  while (!text.empty()) {
    size_t nul = text.find('\0');
    args.push_back(text.substr(0, nul));
    if (nul == std::string_view::npos) break;
    text.remove_prefix(nul + 1);
  }
  yubin::Result<yubin::multilog::Script> script =
      yubin::multilog::ParseScript(args);
  if (!script.ok()) {
    if (!script.status().permanent()) std::abort();
    return 0;
  }
  std::string_view line = args.empty() ? std::string_view() : args.back();
  for (const yubin::multilog::Action& a : script->actions) {
    (void)yubin::multilog::MatchPattern(a.text, line);
  }
  for (const auto& d : script->directories) {
    if (d.max_size < yubin::multilog::kMinFileSize ||
        d.max_size > yubin::multilog::kMaxFileSize || d.max_files < 2) {
      std::abort();
    }
  }
  return 0;
}
