// lspawn_server.h: yubin-lspawn, the local delivery service: runs
// yubin-local for each delivery request yubin-send sends over a unix socket.
//
//   LspawnOptions o{.root = YubinRoot(), .local_program = ".../yubin-local"};
//   return RunLspawn(o);   // returns at SIGTERM (0) or on a fatal error (111)
//
// It listens on ROOT/queue/lock/lspawn.sock (LspawnSocketPath; any stale
// socket there is replaced; when run as root the socket is given to the
// owner of ROOT/queue/lock, mode 0600) and serves one connection at a time:
// a new connection replaces the old one, whose running deliveries still
// finish but whose results are dropped (yubin-send counts them as temporary
// failures: the one window where a delivery can be repeated). For each
// request record (delivery_records.h) it opens ROOT/queue/mess/B/id and runs
// `local_program local domain sender` with the message on stdin and its
// stdout and stderr into a pipe (first kMaxResultText bytes kept), then
// sends a result record: exit 0 -> 0, 100 -> 100, 111 or any other exit or
// a signal -> 111. At most kMaxLspawnChildren run at once; beyond that a
// request is answered 111 at once. SIGTERM: stop accepting, wait up to
// kLspawnTermWaitSeconds for running deliveries, send their results, exit 0.
#ifndef YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_
#define YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_

#include <ctime>
#include <string>

namespace yubin::queue {

inline constexpr size_t kMaxLspawnChildren = 1000;
inline constexpr time_t kLspawnTermWaitSeconds = 60;

struct LspawnOptions {
  std::string root;
  std::string local_program;
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
};

// $YUBIN_LOCAL if set and not empty, else yubin-local beside this program.
std::string LocalProgramPath();

int RunLspawn(const LspawnOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_
