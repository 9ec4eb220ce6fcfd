// rspawn_server.cc: see rspawn_server.h.
#include "lib/queue/rspawn_server.h"

#include "lib/base/fatal.h"
#include "lib/queue/agent_server.h"
#include "lib/queue/remote_report.h"
#include "lib/queue/send_manager.h"
#include "lib/remote/remote_delivery.h"

namespace yubin::queue {

std::string RemoteProgramPath() { return ProgramBesideUs("YUBIN_REMOTE", "yubin-remote"); }

bool RemoteProgramIsOurs() { return ProgramIsOurs("YUBIN_REMOTE"); }

namespace {

// yubin-remote's main, in the forked child of yubin-rspawn: the same
// arguments an exec would get.
int RunRemoteInChild(const Delivery& d) {
  std::vector<std::string> args = RemoteArguments("yubin-remote", d);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  SetProgramName("yubin-remote");
  return remote::RunRemote(static_cast<int>(args.size()), argv.data(), 0, 1);
}

}  // namespace

std::vector<std::string> RemoteArguments(const std::string& program, const Delivery& d) {
  const std::vector<uint64_t> messages = MessagesOf(d);
  std::vector<std::string> argv{program};
  if (messages.size() > 1) argv.push_back("--batch");
  argv.push_back(d.front().domain);
  for (uint64_t id : messages) {
    std::vector<std::string> recipients;
    std::string sender;
    for (const DeliveryRequest& r : d) {
      if (r.id != id) continue;
      sender = r.sender;
      recipients.push_back(r.local + "@" + r.domain);
    }
    argv.push_back(sender);
    if (messages.size() > 1) argv.push_back(std::to_string(recipients.size()));
    argv.insert(argv.end(), recipients.begin(), recipients.end());
  }
  return argv;
}

int RunRspawn(const RspawnOptions& options) {
  static AgentSpec spec{
      .name = "yubin-rspawn",
      .what = "remote",
      .socket_name = kRspawnSocketName,
      .arguments = RemoteArguments,
      .result = RemoteResults,
      .progress = CompletedRemoteResults,
      .batches = true,
      .stderr_in_output = false,
      .max_output = kMaxRemoteReportBytes + 1,
  };
  if (options.in_process) spec.run_in_child = RunRemoteInChild;
  return RunAgentServer(spec, {.root = options.root, .program = options.remote_program,
                               .ready_fd = options.ready_fd});
}

}  // namespace yubin::queue
