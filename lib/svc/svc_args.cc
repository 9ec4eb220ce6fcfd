#include "lib/svc/svc_args.h"

#include <cctype>
#include <string_view>

namespace yubin::svc {
namespace {

Status UsageError(std::string message) {
  return Status::Permanent(std::move(message));
}

Result<std::chrono::milliseconds> ParseTimeout(std::string_view text) {
  if (text.empty()) return UsageError("-T needs a number of milliseconds");
  long value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return UsageError("bad -T value: " + std::string(text));
    }
    value = value * 10 + (c - '0');
    if (value > kMaxTimeoutMs) {
      return UsageError("-T value too large: " + std::string(text));
    }
  }
  return std::chrono::milliseconds(value);
}

}  // namespace

std::optional<char> ControlLetterFor(char flag) {
  switch (flag) {
    case 'u': case 'd': case 'o': case 'p': case 'c': case 'h': case 'a':
    case 'i': case 't': case 'k': case 'x': case 'q': case '1': case '2':
    case 'y': case 'b': case 'O': case 'r':
      return flag;
    default:
      return std::nullopt;
  }
}

std::optional<WaitFor> WaitForLetter(char letter) {
  switch (letter) {
    case 'u': return WaitFor::kUp;
    case 'U': return WaitFor::kReady;
    case 'd': return WaitFor::kDown;
    case 'D': return WaitFor::kReallyDown;
    case 'r': return WaitFor::kRestart;
    case 'R': return WaitFor::kRestartReady;
    default: return std::nullopt;
  }
}

char WaitLetter(WaitFor wait) {
  switch (wait) {
    case WaitFor::kUp: return 'u';
    case WaitFor::kReady: return 'U';
    case WaitFor::kDown: return 'd';
    case WaitFor::kReallyDown: return 'D';
    case WaitFor::kRestart: return 'r';
    case WaitFor::kRestartReady: return 'R';
    case WaitFor::kNone: break;
  }
  return '-';
}

Result<SvcRequest> ParseSvcArgs(const std::vector<std::string>& args) {
  SvcRequest req;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    for (size_t j = 1; j < arg.size(); ++j) {
      char flag = arg[j];
      if (flag == 'w' || flag == 'T') {
        // The value is the rest of this argument or the next argument.
        std::string value;
        if (j + 1 < arg.size()) {
          value = flag == 'w' ? arg.substr(j + 1, 1) : arg.substr(j + 1);
          j += flag == 'w' ? 1 : value.size();
        } else if (i + 1 < args.size()) {
          value = args[++i];
          j = arg.size();
        } else {
          return UsageError(std::string("-") + flag + " needs a value");
        }
        if (flag == 'T') {
          Result<std::chrono::milliseconds> t = ParseTimeout(value);
          if (!t.ok()) return t.status();
          req.timeout = *t;
        } else {
          std::optional<WaitFor> w =
              value.size() == 1 ? WaitForLetter(value[0]) : std::nullopt;
          if (!w) return UsageError("bad wait -w" + value + " (want one of uUdDrR)");
          req.wait = *w;
        }
        continue;
      }
      std::optional<char> letter = ControlLetterFor(flag);
      if (!letter) return UsageError(std::string("unknown flag -") + flag);
      if (req.commands.size() >= kMaxCommandLetters) {
        return UsageError("too many commands");
      }
      req.commands += *letter;
    }
  }
  for (; i < args.size(); ++i) req.dirs.push_back(args[i]);
  if (req.dirs.empty()) return UsageError("no service directory given");
  return req;
}

}  // namespace yubin::svc
