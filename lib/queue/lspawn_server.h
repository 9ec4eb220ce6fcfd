// lspawn_server.h: yubin-lspawn, the local delivery service: runs
// yubin-local for each delivery request yubin-send sends over
// ROOT/queue/lock/lspawn.sock (the service itself is agent_server.h).
//
//   LspawnOptions o{.root = YubinRoot(), .local_program = ".../yubin-local"};
//   return RunLspawn(o);   // returns at SIGTERM (0) or on a fatal error (111)
//
// Each request runs `local_program local domain sender` with stdout and
// stderr as the result text; exit 0 -> 0, 100 -> 100, 111 or any other
// exit or a signal -> 111 (LocalResult).
#ifndef YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_
#define YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_

#include <string>

#include "lib/queue/delivery_records.h"

namespace yubin::queue {

struct LspawnOptions {
  std::string root;
  std::string local_program;
  int ready_fd = -1;  // when >= 0: "\n" written and closed once listening
};

// $YUBIN_LOCAL if set and not empty, else yubin-local beside this program.
std::string LocalProgramPath();

// The result record for yubin-local's wait status and output.
DeliveryResult LocalResult(const DeliveryRequest& request, int wait_status,
                           const std::string& output);

int RunLspawn(const LspawnOptions& options);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_LSPAWN_SERVER_H_
