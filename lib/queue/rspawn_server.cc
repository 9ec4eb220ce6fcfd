// rspawn_server.cc: see rspawn_server.h.
#include "lib/queue/rspawn_server.h"

#include "lib/queue/agent_server.h"
#include "lib/queue/remote_report.h"
#include "lib/queue/send_manager.h"

namespace yubin::queue {

std::string RemoteProgramPath() { return ProgramBesideUs("YUBIN_REMOTE", "yubin-remote"); }

int RunRspawn(const RspawnOptions& options) {
  static const AgentSpec spec{
      .name = "yubin-rspawn",
      .what = "remote",
      .socket_name = kRspawnSocketName,
      .arguments =
          [](const std::string& program, const DeliveryRequest& r) {
            return std::vector<std::string>{program, r.domain, r.sender,
                                            r.local + "@" + r.domain};
          },
      .result = RemoteResult,
      .stderr_in_output = false,
      .max_output = kMaxRemoteReportBytes + 1,
  };
  return RunAgentServer(spec, {.root = options.root, .program = options.remote_program,
                               .ready_fd = options.ready_fd});
}

}  // namespace yubin::queue
