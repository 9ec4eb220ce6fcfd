// control_file.h: yubin's control files (ROOT/control/NAME), qmail style.
//
//   Result<std::optional<std::vector<std::string>>> lines =
//       ReadControlLines(YubinRoot() + "/control/rcpthosts");
//   if (!lines.ok()) ...                 // unreadable or too big: temporary
//   if (!lines->has_value()) ...         // no such file: use the default
//
// A control file holds one value or one entry per line. Leading and trailing
// blanks are trimmed, empty lines and lines starting with '#' are skipped, and
// both the file (kMaxControlFileBytes) and each entry (kMaxControlLineBytes)
// are bounded: a file over the limit is an error, never partly read.
#ifndef YUBIN_LIB_CONTROL_CONTROL_FILE_H_
#define YUBIN_LIB_CONTROL_CONTROL_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::control {

inline constexpr size_t kMaxControlFileBytes = 1 << 20;  // 1 MiB
inline constexpr size_t kMaxControlLineBytes = 1000;

// Splits text into trimmed entries (see above). Fails (permanent) when an
// entry is longer than kMaxControlLineBytes or holds a NUL byte.
Result<std::vector<std::string>> ParseControlLines(std::string_view text);

// The entries of a file, std::nullopt when it does not exist. Other open or
// read errors are temporary; an oversize or malformed file is permanent.
Result<std::optional<std::vector<std::string>>> ReadControlLines(
    const std::string& path);

// The first entry of a file, or fallback when the file is missing or empty.
Result<std::string> ReadControlValue(const std::string& path,
                                     std::string_view fallback);

// The first entry as a decimal number, or fallback when the file is missing
// or empty. A non-number, or one over max, is a permanent error.
Result<uint64_t> ReadControlNumber(const std::string& path, uint64_t fallback,
                                   uint64_t max);

// Parses an unsigned decimal number of at most max; nullopt otherwise.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max);

}  // namespace yubin::control

#endif  // YUBIN_LIB_CONTROL_CONTROL_FILE_H_
