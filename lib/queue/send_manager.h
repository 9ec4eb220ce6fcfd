// send_manager.h: yubin-send, the queue manager (docs/queue.md, "The queue
// manager").
//
//   SendOptions o{.root = YubinRoot(), .ready_fd = 3};
//   return RunSendManager(o);     // returns only at SIGTERM or on a fatal error
//
// One poll loop over the trigger FIFO, the self-pipe for signals and the
// connections to the local delivery service (yubin-lspawn, lspawn.sock) and
// the remote one (yubin-rspawn, rspawn.sock), with a timeout set to the
// next due retry, scan or reconnection. It takes the queue's sendmutex,
// preprocesses todo/ into info/ local/ remote/, sends local deliveries (at
// most concurrencylocal at once) and remote ones (concurrencyremote), one
// recipient per request, records each result durably, bounces permanent
// failures, and removes finished messages. Both services are treated alike:
// while one cannot be reached its recipients wait (logged once), and bounce
// once queuelifetime is over; when a connection breaks, the deliveries in
// flight on it count as temporary failures. Signals: SIGALRM
// retries everything now, SIGHUP rereads the control files, SIGTERM stops
// dispatching, waits up to kTermWaitSeconds for deliveries in flight, then
// returns 0. Returns 111 when it cannot start (queue missing, mutex held).
#ifndef YUBIN_LIB_QUEUE_SEND_MANAGER_H_
#define YUBIN_LIB_QUEUE_SEND_MANAGER_H_

#include <ctime>
#include <string>

namespace yubin::queue {

inline constexpr time_t kScanIntervalSeconds = 25 * 60;
inline constexpr time_t kTermWaitSeconds = 60;
inline constexpr time_t kReconnectMinSeconds = 1;
inline constexpr time_t kReconnectMaxSeconds = 60;
inline constexpr time_t kBounceRetrySeconds = 60;

struct SendOptions {
  std::string root;
  int ready_fd = -1;  // when >= 0: "\n" written and closed once running
};

// The socket's name in ROOT/queue/lock. Both programs chdir to that
// directory and use the relative name, so a deep ROOT cannot exceed the
// 108-byte limit of a unix socket address.
inline constexpr char kLspawnSocketName[] = "lspawn.sock";
inline constexpr char kRspawnSocketName[] = "rspawn.sock";
// ROOT/queue/lock/lspawn.sock (for messages).
std::string LspawnSocketPath(const std::string& root);

int RunSendManager(const SendOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_SEND_MANAGER_H_
