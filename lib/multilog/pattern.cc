#include "lib/multilog/pattern.h"

namespace yubin::multilog {

// Greedy and deterministic: a star stops at the first occurrence of the
// next pattern character, so no backtracking is ever needed.
bool MatchPattern(std::string_view pattern, std::string_view line) {
  size_t p = 0;
  size_t l = 0;
  while (p < pattern.size()) {
    char c = pattern[p];
    if (c == '*') {
      if (p + 1 == pattern.size()) return true;
      char stop = pattern[p + 1];
      while (l < line.size() && line[l] != stop) ++l;
      ++p;
      continue;
    }
    if (l >= line.size() || line[l] != c) return false;
    ++l;
    ++p;
  }
  return l == line.size();
}

}  // namespace yubin::multilog
