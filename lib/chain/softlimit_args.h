// softlimit_args.h: softlimit's options, parsed and applied.
//
//   Result<std::vector<LimitRequest>> limits =
//       ParseSoftlimitArgs({"-d", "10000000", "-o", "=", "prog"}, &child_index);
//   Status s = ApplySoftLimits(*limits);   // then exec the child
//
// Options (daemontools' softlimit): -m n (same as -d -s -l -a), -a all
// segments (RLIMIT_AS), -d data, -s stack, -l locked memory, -f file size,
// -c core size, -o open files, -p processes, -t CPU seconds, -r resident
// set. n is a decimal number, "=" (soft limit = hard limit) or "unlimited"
// (as high as the hard limit allows). A soft limit above the hard limit is
// lowered to the hard limit. A bad flag or value is a permanent status whose
// message names the flag.
#ifndef YUBIN_LIB_CHAIN_SOFTLIMIT_ARGS_H_
#define YUBIN_LIB_CHAIN_SOFTLIMIT_ARGS_H_

#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::chain {

struct LimitRequest {
  int resource = 0;  // RLIMIT_*
  char flag = 0;     // the option it came from, for messages
  enum class Kind { kValue, kHard, kUnlimited } kind = Kind::kValue;
  uint64_t value = 0;  // kValue only
  friend bool operator==(const LimitRequest&, const LimitRequest&) = default;
};

// args excludes argv[0]; *child_index is set to the index of the child's
// first argument. A missing child is a usage error.
Result<std::vector<LimitRequest>> ParseSoftlimitArgs(
    const std::vector<std::string>& args, size_t* child_index);

// The soft limit to set, given the current hard limit.
rlim_t SoftLimitFor(const LimitRequest& request, rlim_t hard);

// setrlimit(2) for each request in order; a temporary status on failure.
Status ApplySoftLimits(const std::vector<LimitRequest>& requests);

}  // namespace yubin::chain

#endif  // YUBIN_LIB_CHAIN_SOFTLIMIT_ARGS_H_
