// options.h: tcpserver's command line, ucspi-tcp 0.88's plus -C, -L and -m.
//
//   Result<ServerOptions> o = ParseServerOptions(argc, argv);
//   if (!o.ok()) Usage(...);   // permanent: unknown flag, bad number, no program
//
// tcpserver [-1UXpPhHrRoOdDqQv] [-c limit] [-x rules.cdb] [-B banner]
//   [-g gid] [-u uid] [-b backlog] [-l localname] [-t timeout]
//   [-C per-ip-limit] [-L per-ip-per-minute] [-m uses] host port program...
// Flags may be grouped ("-vHR") and an option's value may be attached
// ("-c10") or the next word. Later flags override earlier ones.
#ifndef YUBIN_LIB_TCPSERVER_OPTIONS_H_
#define YUBIN_LIB_TCPSERVER_OPTIONS_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::tcpserver {

inline constexpr unsigned kDefaultConcurrency = 40;
// ucspi-tcp's default is 20: with more clients connecting at once than
// that, the kernel drops their SYNs and they retry a second later (forty
// smtp-source sessions got 20 messages/s instead of 2,000). The kernel caps
// it at net.core.somaxconn.
inline constexpr unsigned kDefaultBacklog = 256;
inline constexpr unsigned kDefaultIdentTimeout = 26;
// The largest -c, -C, -L, -b and -t accepted: beyond it a typo is likelier.
inline constexpr unsigned kMaxCount = 1000000;

struct ServerOptions {
  int verbosity = 1;                  // -q 0, -Q 1, -v 2
  unsigned limit = kDefaultConcurrency;  // -c
  unsigned per_ip_limit = 0;          // -C, 0 = none
  unsigned per_ip_rate = 0;           // -L connections per minute, 0 = none
  // -m: connections one process serves, one after another, when it runs
  // the linked-in program (session_workers.h); 1 = a fresh one for each.
  unsigned max_uses = 1;
  std::string rules_path;             // -x
  bool allow_missing_rules = false;   // -X
  std::optional<uid_t> uid;           // -u, or $UID with -U
  std::optional<gid_t> gid;           // -g, or $GID with -U
  unsigned backlog = kDefaultBacklog;  // -b
  bool print_port = false;            // -1
  bool lookup_remote_host = true;     // -h (default) / -H
  bool paranoid = false;              // -p / -P (default)
  bool remote_info = true;            // -r (default) / -R; see tcpserver.8
  unsigned ident_timeout = kDefaultIdentTimeout;  // -t, accepted, unused
  bool kill_ip_options = true;        // -O (default) / -o
  bool no_delay = false;              // -D / -d (default)
  std::optional<std::string> local_name;  // -l
  std::string banner;                 // -B
  std::string host;
  std::string port;
  std::vector<std::string> program;
  // When set: the program file (device and inode) whose code this
  // tcpserver has linked in as run_in_child. A connection whose program
  // resolves to that file runs run_in_child in the forked child, with the
  // connection on 0 and 1 and environ set as for the exec, instead of an
  // exec; its return value is the child's exit code.
  std::optional<std::pair<dev_t, ino_t>> in_process_file;
  std::function<int()> run_in_child;
  // When set with run_in_child: called in the parent before each fork that
  // may run it, so the child inherits what it prepares (yubin-smtpd's
  // control files, read at most once a second instead of per connection).
  std::function<void()> prepare_in_parent;
};

// The usage text after "tcpserver: usage: ".
extern const char kUsage[];

// Parses argv (argv[0] is the program name). -U reads UID and GID from the
// environment at parse time.
Result<ServerOptions> ParseServerOptions(int argc, char** argv);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_OPTIONS_H_
