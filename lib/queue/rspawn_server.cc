// rspawn_server.cc: see rspawn_server.h.
#include "lib/queue/rspawn_server.h"

#include <poll.h>

#include <cerrno>

#include "lib/base/fatal.h"
#include "lib/queue/agent_channel.h"
#include "lib/queue/agent_server.h"
#include "lib/queue/remote_report.h"
#include "lib/queue/send_manager.h"
#include "lib/remote/remote_delivery.h"

namespace yubin::queue {

std::string RemoteProgramPath() { return ProgramBesideUs("YUBIN_REMOTE", "yubin-remote"); }

bool RemoteProgramIsOurs() { return ProgramIsOurs("YUBIN_REMOTE"); }

namespace {

// The batches a kept child of yubin-rspawn takes after its first, over its
// channel (agent_channel.h): after each batch it says so ('I'); with no
// usable connection, or when the server closes an idle connection, it
// says it is leaving ('X') and still delivers, over a new connection, any
// batch that crossed that byte, until the channel ends.
class ChannelBatches {
 public:
  explicit ChannelBatches(int channel) : channel_(channel) {}

  std::optional<std::vector<smtpclient::OutgoingMessage>> Next(int connection, bool* lost) {
    current_.clear();
    if (!SendChannelByte(channel_, kChannelIdle).ok()) return std::nullopt;
    if (connection < 0) Leave();
    while (!leaving_) {
      struct pollfd fds[2] = {{channel_, POLLIN, 0}, {connection, POLLIN, 0}};
      int n = poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) break;
      // The server spoke first (421, or closed): this connection is done.
      if (fds[1].revents != 0) {
        *lost = true;
        Leave();
      }
    }
    return Receive();
  }

 private:
  void Leave() {
    if (!leaving_) (void)SendChannelByte(channel_, kChannelLeaving);
    leaving_ = true;
  }

  std::optional<std::vector<smtpclient::OutgoingMessage>> Receive() {
    Result<std::optional<ChannelBatch>> got = ReceiveBatch(channel_);
    if (!got.ok()) {
      Warn(got.status().message());
      return std::nullopt;
    }
    if (!*got) return std::nullopt;
    ChannelBatch& batch = **got;
    std::vector<std::string> args = RemoteArguments("yubin-remote", batch.delivery);
    Result<remote::RemoteArguments> parsed =
        remote::ParseRemoteArguments(std::vector<std::string>(args.begin() + 1, args.end()));
    if (!parsed.ok() || parsed->messages.size() != batch.messages.size()) {
      Warn("a batch from yubin-rspawn that does not parse");
      return std::nullopt;
    }
    for (size_t k = 0; k < batch.messages.size(); ++k) {
      Result<remote::PreparedMessage> pm = remote::PrepareMessage(batch.messages[k].get());
      if (!pm.ok()) {
        Warn("message " + std::to_string(k + 1) + ": " + pm.status().message());
        return std::nullopt;
      }
      smtpclient::OutgoingMessage& m = parsed->messages[k];
      m.fd = pm->fd.get();
      m.size = pm->size;
      m.eight_bit = pm->eight_bit;
      current_.push_back(std::move(*pm));
    }
    return std::move(parsed->messages);
  }

  int channel_;
  bool leaving_ = false;
  std::vector<remote::PreparedMessage> current_;  // the open batch's messages
};

// yubin-remote's main, in the forked child of yubin-rspawn: the same
// arguments an exec would get; with a channel, it then takes more batches.
int RunRemoteInChild(const Delivery& d, int channel) {
  std::vector<std::string> args = RemoteArguments("yubin-remote", d);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  SetProgramName("yubin-remote");
  if (channel < 0) return remote::RunRemote(static_cast<int>(args.size()), argv.data(), 0, 1);
  ChannelBatches more(channel);
  return remote::RunRemote(static_cast<int>(args.size()), argv.data(), 0, 1,
                           [&more](int connection, bool* lost) {
                             return more.Next(connection, lost);
                           });
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
  if (options.in_process) {
    spec.run_in_child = RunRemoteInChild;
    spec.keep_children = true;
    spec.keep_key = LowerDomain;
  }
  return RunAgentServer(spec, {.root = options.root, .program = options.remote_program,
                               .ready_fd = options.ready_fd});
}

}  // namespace yubin::queue
