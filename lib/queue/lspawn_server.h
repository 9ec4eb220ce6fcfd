// lspawn_server.h: yubin-lspawn, the local delivery service: runs
// yubin-local for each delivery request yubin-send sends over
// ROOT/queue/lock/lspawn.sock (the service itself is agent_server.h).
//
//   LspawnOptions o{.root = YubinRoot(), .local_program = ".../yubin-local"};
//   return RunLspawn(o);   // returns at SIGTERM (0) or on a fatal error (111)
//
// Each request runs `local_program local domain sender` with stdout and
// stderr as the result text; exit 0 -> 0, 100 -> 100, 111 or any other
// exit or a signal -> 111 (LocalResult). When local_program is yubin-local
// beside us (no $YUBIN_LOCAL), the forked child runs yubin-local's code
// (RunLocalCommand) itself rather than exec'ing it: the same delivery, the
// same result, one program start less per message.
#ifndef YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_
#define YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_

#include <string>

#include "lib/queue/delivery_records.h"

namespace yubin::queue {

struct LspawnOptions {
  std::string root;
  std::string local_program;
  bool in_process = false;  // run yubin-local's code in the forked child
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
};

// $YUBIN_LOCAL if set and not empty, else yubin-local beside this program.
std::string LocalProgramPath();
// True when no $YUBIN_LOCAL names another program.
bool LocalProgramIsOurs();

// The result record for yubin-local's wait status and output.
DeliveryResult LocalResult(const DeliveryRequest& request, int wait_status,
                           const std::string& output);

int RunLspawn(const LspawnOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_
