// svc_args.h: svc's command line, turned into control letters and a wait.
//
//   Result<SvcRequest> req = ParseSvcArgs({"-wU", "-T", "5000", "-u", "sv"});
//   // req->commands == "u", req->wait == WaitFor::kReady, timeout 5000 ms
//
// Flags are getopt-style and may be clustered ("-du", "-wdT1000"); each
// daemontools flag (-u -d -o -p -c -h -a -i -t -k -x) and each s6 extra
// (-q -1 -2 -y -b -O -r) becomes the same letter on supervise/control, in
// the order given. A bad flag or a missing directory is a permanent status
// (usage, exit 100) naming the problem.
#ifndef YUBIN_LIB_SVC_SVC_ARGS_H_
#define YUBIN_LIB_SVC_SVC_ARGS_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::svc {

// At most this many command letters per call: one write(2) of them to the
// control FIFO stays atomic (below PIPE_BUF).
inline constexpr size_t kMaxCommandLetters = 128;
// -T accepts at most this many milliseconds (about 24 days).
inline constexpr long kMaxTimeoutMs = 2'000'000'000L;

enum class WaitFor {
  kNone,
  kUp,            // -wu: supervise reports the process up
  kReady,         // -wU: up and ready (notification-fd)
  kDown,          // -wd: the process is down
  kReallyDown,    // -wD: down and ./finish has completed
  kRestart,       // -wr: down, then up again
  kRestartReady,  // -wR: down, then up and ready
};

struct SvcRequest {
  std::string commands;  // control letters, in order
  WaitFor wait = WaitFor::kNone;
  std::chrono::milliseconds timeout{0};  // 0: no limit
  std::vector<std::string> dirs;
};

// The control letter for a command flag ('u' -> 'u', ...), nullopt when the
// flag is not a command.
std::optional<char> ControlLetterFor(char flag);
// The wait for the letter after -w ('u', 'U', 'd', 'D', 'r', 'R').
std::optional<WaitFor> WaitForLetter(char letter);
// The letter of a wait ("u" for kUp ...), for messages.
char WaitLetter(WaitFor wait);

// args excludes argv[0].
Result<SvcRequest> ParseSvcArgs(const std::vector<std::string>& args);

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_SVC_ARGS_H_
