#include "lib/tcpserver/options.h"

#include <cstdlib>
#include <string_view>

namespace yubin::tcpserver {

const char kUsage[] =
    "tcpserver [ -1UXpPhHrRoOdDqQv ] [ -c limit ] [ -x rules.cdb ] "
    "[ -B banner ] [ -g gid ] [ -u uid ] [ -b backlog ] [ -l localname ] "
    "[ -t timeout ] [ -C per-ip-limit ] [ -L per-ip-per-minute ] "
    "[ -m uses ] host port program";

namespace {

constexpr std::string_view kFlagsWithValue = "cxBgublLtCm";

Result<unsigned> ParseCount(char flag, std::string_view text, bool positive) {
  unsigned long value = 0;
  if (text.empty()) return Status::Permanent(std::string("-") + flag + " wants a number");
  for (char c : text) {
    if (c < '0' || c > '9' || value > kMaxCount)
      return Status::Permanent(std::string("-") + flag + ": bad number: " +
                               std::string(text));
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > kMaxCount || (positive && value == 0))
    return Status::Permanent(std::string("-") + flag + ": out of range: " +
                             std::string(text));
  return static_cast<unsigned>(value);
}

Result<unsigned> ParseId(const char* what, std::string_view text) {
  unsigned long value = 0;
  if (text.empty()) return Status::Permanent(std::string(what) + " is empty");
  for (char c : text) {
    if (c < '0' || c > '9' || value > 0xffffffffUL / 10)
      return Status::Permanent(std::string(what) + ": bad number: " +
                               std::string(text));
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value >= 0xffffffffUL)
    return Status::Permanent(std::string(what) + ": out of range: " +
                             std::string(text));
  return static_cast<unsigned>(value);
}

Status ApplyValueFlag(char flag, std::string_view value, ServerOptions* o) {
  Result<unsigned> n = 0u;
  switch (flag) {
    case 'c':
      if (!(n = ParseCount(flag, value, true)).ok()) return n.status();
      o->limit = *n;
      return Status::Ok();
    case 'C':
      if (!(n = ParseCount(flag, value, false)).ok()) return n.status();
      o->per_ip_limit = *n;
      return Status::Ok();
    case 'L':
      if (!(n = ParseCount(flag, value, false)).ok()) return n.status();
      o->per_ip_rate = *n;
      return Status::Ok();
    case 'm':
      if (!(n = ParseCount(flag, value, true)).ok()) return n.status();
      o->max_uses = *n;
      return Status::Ok();
    case 'b':
      if (!(n = ParseCount(flag, value, false)).ok()) return n.status();
      o->backlog = *n;
      return Status::Ok();
    case 't':
      if (!(n = ParseCount(flag, value, false)).ok()) return n.status();
      o->ident_timeout = *n;
      return Status::Ok();
    case 'u':
      if (!(n = ParseId("-u", value)).ok()) return n.status();
      o->uid = *n;
      return Status::Ok();
    case 'g':
      if (!(n = ParseId("-g", value)).ok()) return n.status();
      o->gid = *n;
      return Status::Ok();
    case 'x':
      o->rules_path = std::string(value);
      return Status::Ok();
    case 'B':
      o->banner = std::string(value);
      return Status::Ok();
    case 'l':
      o->local_name = std::string(value);
      return Status::Ok();
  }
  return Status::Permanent(std::string("unknown option -") + flag);
}

Status ApplyFromEnvironment(ServerOptions* o) {
  const char* uid = getenv("UID");
  const char* gid = getenv("GID");
  if (!uid) return Status::Permanent("-U: $UID is not set");
  if (!gid) return Status::Permanent("-U: $GID is not set");
  if (Status s = ApplyValueFlag('u', uid, o); !s.ok()) return s;
  return ApplyValueFlag('g', gid, o);
}

Status ApplyFlag(char flag, ServerOptions* o) {
  switch (flag) {
    case '1': o->print_port = true; break;
    case 'U': return ApplyFromEnvironment(o);
    case 'X': o->allow_missing_rules = true; break;
    case 'p': o->paranoid = true; break;
    case 'P': o->paranoid = false; break;
    case 'h': o->lookup_remote_host = true; break;
    case 'H': o->lookup_remote_host = false; break;
    case 'r': o->remote_info = true; break;
    case 'R': o->remote_info = false; break;
    case 'o': o->kill_ip_options = false; break;
    case 'O': o->kill_ip_options = true; break;
    case 'd': o->no_delay = false; break;
    case 'D': o->no_delay = true; break;
    case 'q': o->verbosity = 0; break;
    case 'Q': o->verbosity = 1; break;
    case 'v': o->verbosity = 2; break;
    default:
      return Status::Permanent(std::string("unknown option -") + flag);
  }
  return Status::Ok();
}

}  // namespace

Result<ServerOptions> ParseServerOptions(int argc, char** argv) {
  ServerOptions o;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;
    for (size_t j = 1; j < arg.size(); ++j) {
      char flag = arg[j];
      if (kFlagsWithValue.find(flag) == std::string_view::npos) {
        if (Status s = ApplyFlag(flag, &o); !s.ok()) return s;
        continue;
      }
      std::string_view value;
      if (j + 1 < arg.size()) {
        value = arg.substr(j + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return Status::Permanent(std::string("-") + flag + " wants a value");
      }
      if (Status s = ApplyValueFlag(flag, value, &o); !s.ok()) return s;
      break;
    }
  }
  if (argc - i < 3) return Status::Permanent("want host port program");
  o.host = argv[i];
  o.port = argv[i + 1];
  for (int k = i + 2; k < argc; ++k) o.program.emplace_back(argv[k]);
  return o;
}

}  // namespace yubin::tcpserver
