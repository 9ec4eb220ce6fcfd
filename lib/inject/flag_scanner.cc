#include "lib/inject/flag_scanner.h"

namespace yubin::inject {

Result<size_t> ScanFlags(const std::vector<std::string>& args,
                         const FlagSpec& spec, const FlagHandler& handler) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view word = args[i];
    if (word == "--") return i + 1;
    if (word.size() < 2 || word[0] != '-') return i;
    for (size_t j = 1; j < word.size(); ++j) {
      char flag = word[j];
      std::string_view rest = word.substr(j + 1);
      if (spec.no_value.find(flag) != std::string_view::npos) {
        if (Status st = handler(flag, ""); !st.ok()) return st;
        continue;
      }
      if (spec.optional_value.find(flag) != std::string_view::npos) {
        if (Status st = handler(flag, rest); !st.ok()) return st;
        break;
      }
      if (spec.value.find(flag) != std::string_view::npos) {
        std::string_view value = rest;
        if (value.empty()) {
          if (i + 1 >= args.size()) {
            return Status::Permanent(std::string("flag -") + flag + " needs a value");
          }
          value = args[++i];
        }
        if (Status st = handler(flag, value); !st.ok()) return st;
        break;
      }
      return Status::Permanent(std::string("unknown flag -") + flag);
    }
  }
  return i;
}

}  // namespace yubin::inject
