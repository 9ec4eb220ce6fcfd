#include "lib/chain/softlimit_args.h"

#include <cerrno>
#include <limits>

namespace yubin::chain {
namespace {

// -m expands to these, in this order.
constexpr char kMemoryFlags[] = {'d', 's', 'l', 'a'};

int ResourceFor(char flag) {
  switch (flag) {
    case 'a': return RLIMIT_AS;
    case 'd': return RLIMIT_DATA;
    case 's': return RLIMIT_STACK;
    case 'l': return RLIMIT_MEMLOCK;
    case 'f': return RLIMIT_FSIZE;
    case 'c': return RLIMIT_CORE;
    case 'o': return RLIMIT_NOFILE;
    case 'p': return RLIMIT_NPROC;
    case 't': return RLIMIT_CPU;
    case 'r': return RLIMIT_RSS;
    default: return -1;
  }
}

Result<LimitRequest> ParseValue(char flag, const std::string& text) {
  LimitRequest r{.resource = ResourceFor(flag), .flag = flag};
  if (text == "=") {
    r.kind = LimitRequest::Kind::kHard;
    return r;
  }
  if (text == "unlimited") {
    r.kind = LimitRequest::Kind::kUnlimited;
    return r;
  }
  std::string bad = std::string("bad value for -") + flag + ": '" + text +
                    "' (want a number, = or unlimited)";
  if (text.empty()) return Status::Permanent(bad);
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Permanent(bad);
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return Status::Permanent(std::string("value for -") + flag + " too large: " + text);
    }
    v = v * 10 + digit;
  }
  r.value = v;
  return r;
}

}  // namespace

Result<std::vector<LimitRequest>> ParseSoftlimitArgs(
    const std::vector<std::string>& args, size_t* child_index) {
  std::vector<LimitRequest> out;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    char flag = arg[1];
    if (flag != 'm' && ResourceFor(flag) < 0) {
      return Status::Permanent(std::string("unknown option -") + flag);
    }
    std::string value;
    if (arg.size() > 2) {
      value = arg.substr(2);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::Permanent(std::string("-") + flag + " needs a value");
    }
    if (flag == 'm') {
      for (char f : kMemoryFlags) {
        Result<LimitRequest> r = ParseValue(f, value);
        if (!r.ok()) return Status::Permanent(std::string("bad value for -m: '") + value + "'");
        out.push_back(*r);
      }
    } else {
      Result<LimitRequest> r = ParseValue(flag, value);
      if (!r.ok()) return r.status();
      out.push_back(*r);
    }
  }
  if (i >= args.size()) return Status::Permanent("no program to run");
  *child_index = i;
  return out;
}

rlim_t SoftLimitFor(const LimitRequest& request, rlim_t hard) {
  rlim_t want = RLIM_INFINITY;
  switch (request.kind) {
    case LimitRequest::Kind::kHard: return hard;
    case LimitRequest::Kind::kUnlimited: want = RLIM_INFINITY; break;
    case LimitRequest::Kind::kValue:
      want = request.value >= static_cast<uint64_t>(RLIM_INFINITY)
                 ? RLIM_INFINITY
                 : static_cast<rlim_t>(request.value);
      break;
  }
  if (hard != RLIM_INFINITY && (want == RLIM_INFINITY || want > hard)) return hard;
  return want;
}

Status ApplySoftLimits(const std::vector<LimitRequest>& requests) {
  for (const LimitRequest& r : requests) {
    struct rlimit lim;
    if (getrlimit(r.resource, &lim) != 0) {
      return Status::FromErrno(std::string("getrlimit for -") + r.flag, errno);
    }
    lim.rlim_cur = SoftLimitFor(r, lim.rlim_max);
    if (setrlimit(r.resource, &lim) != 0) {
      return Status::FromErrno(std::string("setrlimit for -") + r.flag, errno);
    }
  }
  return Status::Ok();
}

}  // namespace yubin::chain
