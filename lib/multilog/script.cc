#include "lib/multilog/script.h"

#include <string>

namespace yubin::multilog {
namespace {

Status BadArgument(std::string_view arg, std::string_view why) {
  std::string msg = "bad script argument '";
  msg.append(arg.substr(0, 200));
  msg += "': ";
  msg += why;
  return Status::Permanent(std::move(msg));
}

// Decimal digits only, no sign, no overflow beyond limit + 1.
bool ParseCount(std::string_view digits, size_t limit, size_t* out) {
  if (digits.empty()) return false;
  size_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
    if (v > limit) v = limit + 1;  // saturate: too big is still "too big"
  }
  *out = v;
  return true;
}

}  // namespace

Result<Script> ParseScript(const std::vector<std::string_view>& args) {
  if (args.size() > kMaxActions) {
    return Status::Permanent("script has too many arguments");
  }
  Script script;
  size_t size = kDefaultFileSize;
  size_t count = kDefaultFileCount;
  std::string processor;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg.size() > kMaxArgumentBytes) {
      return BadArgument(arg, "argument too long");
    }
    if (arg.empty()) return BadArgument(arg, "empty action");
    std::string_view rest = arg.substr(1);
    switch (arg[0]) {
      case 't':
        if (arg.size() != 1) return BadArgument(arg, "unknown action");
        if (i != 0) return BadArgument(arg, "t must be the first action");
        script.timestamp = true;
        break;
      case '+':
        script.actions.push_back({ActionKind::kSelect, std::string(rest)});
        break;
      case '-':
        script.actions.push_back({ActionKind::kDeselect, std::string(rest)});
        break;
      case 'e':
        if (arg.size() != 1) return BadArgument(arg, "unknown action");
        script.actions.push_back({ActionKind::kAlert, ""});
        break;
      case '=':
        if (rest.empty()) return BadArgument(arg, "missing file name");
        script.actions.push_back({ActionKind::kStatusFile, std::string(rest)});
        break;
      case 's':
        if (!ParseCount(rest, kMaxFileSize, &size)) {
          return BadArgument(arg, "size is not a number");
        }
        if (size < kMinFileSize || size > kMaxFileSize) {
          return BadArgument(arg, "size must be between 4096 and 16777215");
        }
        break;
      case 'n':
        if (!ParseCount(rest, kMaxActions * 1000, &count)) {
          return BadArgument(arg, "count is not a number");
        }
        if (count < kMinFileCount) {
          return BadArgument(arg, "count must be at least 2");
        }
        break;
      case '!':
        if (rest.empty()) return BadArgument(arg, "missing processor");
        processor = std::string(rest);
        break;
      case '.':
      case '/': {
        Action a{ActionKind::kDirectory, std::string(arg)};
        a.dir_index = script.directories.size();
        script.directories.push_back(
            DirectorySettings{std::string(arg), size, count, processor});
        script.actions.push_back(std::move(a));
        break;
      }
      default:
        return BadArgument(arg, "unknown action");
    }
  }
  return script;
}

}  // namespace yubin::multilog
