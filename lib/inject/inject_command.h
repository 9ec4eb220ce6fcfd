// inject_command.h: yubin-inject's command line.
//
//   Result<InjectOptions> o = ParseInjectArgs({"-f", "me@example.com", "joe"});
//
// yubin-inject [-t] [-n] [-f sender] [-F fullname] [recipient ...]
// Recipients are the arguments; with -t, or with no arguments at all, the
// addresses in To:, Cc: and Bcc: (or their Resent- forms) are added. The
// message ends at end of input (no dot handling). Fails (permanent, exit
// 100) on an unknown flag or a missing value.
#ifndef YUBIN_LIB_INJECT_INJECT_COMMAND_H_
#define YUBIN_LIB_INJECT_INJECT_COMMAND_H_

#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/inject/inject.h"

namespace yubin::inject {

Result<InjectOptions> ParseInjectArgs(const std::vector<std::string>& args);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_INJECT_COMMAND_H_
