// libFuzzer target for the tcprules line parser and the rule data reader.
//   bazel build --config=fuzz //lib/rules:rules_fuzz && bazel-bin/lib/rules/rules_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/rules/rules_lookup.h"
#include "lib/rules/rules_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yubin::Result<std::vector<yubin::rules::RuleRecord>> records =
      yubin::rules::ParseRules(text);
  if (records.ok()) {
    // A range emits at most 256 records per line; anything more is a bug.
    size_t lines = 1;
    for (char c : text) lines += c == '\n';
    if (records->size() > lines * (yubin::rules::kMaxRangeValue + 1))
      std::abort();
    for (const yubin::rules::RuleRecord& r : *records) {
      yubin::rules::RuleDecision d = yubin::rules::DecodeRuleData(r.data);
      // Without NULs in the input (ucspi-tcp stores them as they come, so
      // they split items), deny is exactly a leading "D" item.
      if (text.find('\0') == std::string_view::npos &&
          d.deny != (r.data.rfind("D", 0) == 0))
        std::abort();
    }
  } else if (!records.status().permanent()) {
    std::abort();
  }
  (void)yubin::rules::DecodeRuleData(text);
  return 0;
}
