// agent_server.h: the delivery service yubin-send connects to over a unix
// socket, shared by yubin-lspawn (local) and yubin-rspawn (remote): what
// differs is the socket name, the program's arguments and how its exit
// status and output become a result record.
//
//   AgentSpec spec{.name = "yubin-lspawn", .what = "local",
//                  .socket_name = "lspawn.sock", .arguments = ..., .result = ...};
//   return RunAgentServer(spec, {.root = YubinRoot(), .program = path});
//   // returns at SIGTERM (0) or on a fatal error (111)
//
// It listens on ROOT/queue/lock/SOCKET (bound under SOCKET.new and renamed
// into place once listening, so the name only ever appears ready; when run
// as root the socket is given to the owner of ROOT/queue/lock, mode 0600)
// and serves one connection at a time: a new connection replaces the old
// one, whose running deliveries still finish but whose results are dropped
// (yubin-send counts them as temporary failures: the one window where a
// delivery can be repeated); a batch of the old connection is stopped
// (SIGTERM), so only the message it is sending at that moment can be. For the request records (delivery_records.h)
// it runs the program once per delivery: one request, or, for a service
// with batches, the requests up to the one with more = 0 (at most
// kMaxDeliveryRequests, all for one domain; anything else drops the
// connection). It opens the delivery's messages ROOT/queue/mess/B/id and
// runs arguments(program, delivery) with the first message on stdin (and,
// when there are several, message k on descriptor 3 + k, in the order of
// MessagesOf), its stdout (and stderr when stderr_in_output; otherwise
// stderr is ours, the service's log) into a pipe, of which the first
// max_output bytes are kept; then it sends result(delivery, wait status,
// output), one result per request not answered yet by progress(delivery,
// output so far), each text cut to kMaxResultText. At most
// kMaxAgentChildren run at once; beyond that a delivery is answered 111 at
// once, as is a request whose message cannot be opened. SIGTERM: stop
// accepting, wait up to kAgentTermWaitSeconds for running deliveries, send
// their results, exit 0.
//
// A service with keep_children (running the program's code in its child)
// gives each child a channel (agent_channel.h): a child that finished its
// batch and can take another says so and waits; the next delivery with the
// same keep_key (from the same connection of yubin-send) goes to it instead
// of a new child: for yubin-rspawn a delivery for the same domain, over the
// SMTP connection the child has open; for yubin-lspawn a message for the
// same address, to a child that has looked the recipient up and become
// them already. A child left waiting for kAgentIdleMilliseconds, or beyond
// kMaxIdleChildren, has its channel closed and quits; SIGHUP closes every
// waiting child's channel at once (after a change of smtproutes, say).
#ifndef YUBIN_LIB_QUEUE_AGENT_SERVER_H_
#define YUBIN_LIB_QUEUE_AGENT_SERVER_H_

#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "lib/queue/delivery_records.h"

namespace yubin::queue {

inline constexpr size_t kMaxAgentChildren = 1000;
inline constexpr time_t kAgentTermWaitSeconds = 60;
inline constexpr int kAgentIdleMilliseconds = 2000;
inline constexpr size_t kMaxIdleChildren = 100;

struct AgentSpec {
  std::string name;         // the service, for its log: "yubin-lspawn"
  std::string what;         // "local" or "remote", for result texts
  std::string socket_name;  // in ROOT/queue/lock
  // The argv (argv[0] = program) to run for a delivery.
  std::function<std::vector<std::string>(const std::string& program,
                                          const Delivery& delivery)>
      arguments;
  // One result per request of a finished program's delivery (wait status as
  // from waitpid).
  std::function<std::vector<DeliveryResult>(const Delivery& delivery, int wait_status,
                                            const std::string& output)>
      result;
  // When set: the results the output so far already settles, sent while
  // the program still runs (each request is answered once).
  std::function<std::vector<DeliveryResult>(const Delivery& delivery,
                                            const std::string& output)>
      progress;
  // When set, the forked child runs this instead of exec'ing the program:
  // the delivery's code linked into the service, run with the same
  // descriptors (message on 0, output on 1 and 2, nothing else open); its
  // result is the child's exit code, and ps shows it under the program's
  // name. Saves an exec per delivery. channel is the child's end of its
  // channel (agent_channel.h) with keep_children, else -1.
  std::function<int(const Delivery& delivery, int channel)> run_in_child;
  // With run_in_child: children may take further batches (see above), those
  // whose deliveries have the same keep_key.
  bool keep_children = false;
  std::function<std::string(const Delivery& delivery)> keep_key;
  bool batches = false;  // false: every request is a delivery of its own
  bool stderr_in_output = true;
  size_t max_output = kMaxResultText;
};

struct AgentOptions {
  std::string root;
  std::string program;
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
};

// $ENV_NAME if set and not empty, else NAME beside this program.
std::string ProgramBesideUs(const char* env_name, const char* name);
// True when $ENV_NAME names no other program: ProgramBesideUs is ours, and
// its code may run in the forked child (AgentSpec::run_in_child).
bool ProgramIsOurs(const char* env_name);

// The domain of a delivery's requests, lowercased: yubin-rspawn's keep_key,
// and part of yubin-lspawn's.
std::string LowerDomain(const Delivery& delivery);

// text, then "\n" unless text is empty, then line.
std::string AppendLine(const std::string& text, const std::string& line);

int RunAgentServer(const AgentSpec& spec, const AgentOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_AGENT_SERVER_H_
