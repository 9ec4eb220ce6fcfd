// flag_scanner.h: getopt-style scanning for sendmail's and yubin-inject's
// single-letter flags.
//
//   FlagSpec spec{.no_value = "ti", .value = "fF", .optional_value = "q"};
//   Result<size_t> first = ScanFlags(args, spec, [&](char flag, std::string_view v) {
//     ...; return Status::Ok();
//   });
//   // args[*first...] are the operands (recipients)
//
// Flags may be clustered ("-ti"); a value flag takes the rest of its word or
// the next word ("-fjoe", "-f joe"); an optional-value flag only the rest of
// its word ("-q", "-q30m"). "--" ends the flags, as does the first word not
// starting with '-' (or "-" alone). Fails (permanent, usage) on an unknown
// flag or a missing value; the handler's failure is returned as is.
#ifndef YUBIN_LIB_INJECT_FLAG_SCANNER_H_
#define YUBIN_LIB_INJECT_FLAG_SCANNER_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::inject {

struct FlagSpec {
  std::string_view no_value;
  std::string_view value;
  std::string_view optional_value;
};

using FlagHandler = std::function<Status(char flag, std::string_view value)>;

Result<size_t> ScanFlags(const std::vector<std::string>& args,
                         const FlagSpec& spec, const FlagHandler& handler);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_FLAG_SCANNER_H_
