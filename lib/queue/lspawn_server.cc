// lspawn_server.cc: see lspawn_server.h.
#include "lib/queue/lspawn_server.h"

#include <sys/wait.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "lib/base/fatal.h"
#include "lib/dotqmail/local_command.h"
#include "lib/queue/agent_channel.h"
#include "lib/queue/agent_server.h"
#include "lib/queue/send_manager.h"

namespace yubin::queue {

std::string LocalProgramPath() { return ProgramBesideUs("YUBIN_LOCAL", "yubin-local"); }

bool LocalProgramIsOurs() { return ProgramIsOurs("YUBIN_LOCAL"); }

namespace {

// A kept child serves one address: local part as it is, domain lowercased.
std::string LocalKey(const Delivery& d) { return d.front().local + "@" + LowerDomain(d); }

// yubin-local's main, in the forked child of yubin-lspawn; with a channel
// (agent_channel.h) it then takes the next messages for the same address,
// as the recipient it has become, until the channel ends.
int RunLocalInChild(const Delivery& d, int channel) {
  const DeliveryRequest& r = d.front();
  SetProgramName("yubin-local");
  if (channel < 0) return dotqmail::LocalCommandMain({r.local, r.domain, r.sender});
  Result<dotqmail::LocalRecipient> recipient = dotqmail::LocalRecipient::Prepare(r.local, r.domain);
  if (!recipient.ok()) {
    (void)WriteAll(1, recipient.status().message() + "\n");
    return ExitCodeFor(recipient.status());
  }
  int code = recipient->DeliverAndReport(r.sender, 0);
  for (;;) {
    if (!SendChannelIdle(channel, code).ok()) return code;
    Result<std::optional<ChannelBatch>> next = ReceiveBatch(channel);
    if (!next.ok() || !*next) return 0;  // nothing more (the last is answered)
    const ChannelBatch& batch = **next;
    if (batch.delivery.size() != 1 || LocalKey(batch.delivery) != LocalKey(d)) {
      (void)WriteAll(1, "A kept local delivery was given another address. (#4.3.0)\n");
      return kExitTemporary;
    }
    code = recipient->DeliverAndReport(batch.delivery.front().sender,
                                       batch.messages.front().get());
  }
}

}  // namespace

DeliveryResult LocalResult(const DeliveryRequest& request, int ws,
                           const std::string& output) {
  DeliveryResult r{request.id, request.index, 111, output};
  if (WIFEXITED(ws) && (WEXITSTATUS(ws) == 0 || WEXITSTATUS(ws) == 100 ||
                        WEXITSTATUS(ws) == 111)) {
    r.status = WEXITSTATUS(ws);
  } else if (WIFEXITED(ws)) {
    r.text = AppendLine(r.text, "Unexpected exit code " + std::to_string(WEXITSTATUS(ws)) +
                                    " from the local delivery program. (#4.3.0)");
  } else {
    r.text = AppendLine(r.text, "The local delivery program was killed by signal " +
                                    std::to_string(WTERMSIG(ws)) + ". (#4.3.0)");
  }
  return r;
}

int RunLspawn(const LspawnOptions& options) {
  static AgentSpec spec{
      .name = "yubin-lspawn",
      .what = "local",
      .socket_name = kLspawnSocketName,
      .arguments =
          [](const std::string& program, const Delivery& d) {
            const DeliveryRequest& r = d.front();  // one request: no batches
            return std::vector<std::string>{program, r.local, r.domain, r.sender};
          },
      .result =
          [](const Delivery& d, int wait_status, const std::string& output) {
            return std::vector<DeliveryResult>{LocalResult(d.front(), wait_status, output)};
          },
  };
  if (options.in_process) {
    spec.run_in_child = RunLocalInChild;
    spec.keep_children = true;
    spec.keep_key = LocalKey;
  }
  return RunAgentServer(spec, {.root = options.root, .program = options.local_program,
                               .ready_fd = options.ready_fd});
}

}  // namespace yubin::queue
