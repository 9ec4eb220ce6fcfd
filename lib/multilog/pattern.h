// pattern.h: multilog's line patterns.
//
//   MatchPattern("named[*]: Cleaned cache *", line)   // true or false
//
// A pattern is stars and non-stars. A non-star matches itself; a star before
// the end matches any string not containing the pattern's next character; a
// star at the end matches anything. The whole line must be matched. Runs in
// time linear in pattern plus line; never fails.
#ifndef YUBIN_LIB_MULTILOG_PATTERN_H_
#define YUBIN_LIB_MULTILOG_PATTERN_H_

#include <string_view>

namespace yubin::multilog {

bool MatchPattern(std::string_view pattern, std::string_view line);

}  // namespace yubin::multilog

#endif  // YUBIN_LIB_MULTILOG_PATTERN_H_
