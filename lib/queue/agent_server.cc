// agent_server.cc: see agent_server.h.
#include "lib/queue/agent_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "lib/base/fd.h"
#include "lib/queue/agent_channel.h"
#include "lib/queue/delivery_records.h"
#include "lib/queue/layout.h"
#include "lib/queue/queue_client.h"
#include "lib/queue/unix_listener.h"
#include "supervise/self_pipe.h"

namespace yubin::queue {
namespace {

constexpr int kListenBacklog = 16;

void Log(const std::string& line) {
  std::string out;
  for (char c : line) out.push_back(c == '\n' ? '/' : c);
  out.push_back('\n');
  (void)WriteAll(2, out);
}

struct Child {
  Delivery delivery;
  std::set<std::pair<uint64_t, uint64_t>> sent;  // (id, index) already answered
  UniqueFd output;
  std::string text;
  bool reaped = false;
  int wstatus = 0;
  uint64_t connection = 0;  // which connection asked for it
  // A kept child (keep_children): its channel, the keep_key of its
  // batches, whether it waits for another batch (delivery empty) and since
  // when, and the exit code its last batch reported (as a wait status).
  UniqueFd channel;
  std::string key;
  int batch_status = 0;
  bool idle = false;
  std::chrono::steady_clock::time_point idle_since;
};

class Server {
 public:
  Server(const AgentSpec& spec, AgentOptions o) : spec_(spec), opt_(std::move(o)) {}
  int Run();

 private:
  Status Listen();
  void Accept();
  void ReadClient();
  void Start(Delivery d);
  bool GiveToKept(const Delivery& d, const std::vector<UniqueFd>& messages);
  void ReadChannel(pid_t pid, Child& c);
  bool ReadOutput(pid_t pid, Child& c);
  void CloseIdle(bool all);
  int IdleTimeout() const;
  void FailAll(const Delivery& d, const std::string& text);
  bool Acceptable(const Delivery& d) const;
  void Reap();
  void Finish(pid_t pid, Child& c);
  void Send(const DeliveryResult& r);
  void DropClient();
  void Answer(pid_t pid, Child& c, std::vector<DeliveryResult> results);

  const AgentSpec& spec_;
  AgentOptions opt_;
  UniqueFd listener_;
  UniqueFd client_;
  uint64_t connection_ = 0;
  std::string out_;
  RecordParser parser_{kRequestFields};
  Delivery incoming_;  // requests of a delivery whose last one is still to come
  std::map<pid_t, Child> children_;
  supervise::SelfPipe signals_;
  bool terminating_ = false;
};

// Binds and listens under a temporary name, then renames it into place, so
// that the socket name only ever appears already listening.
Status Server::Listen() {
  std::string lock = LockDir(QueueDir(opt_.root));
  if (chdir(lock.c_str()) != 0) return Status::FromErrno("chdir " + lock, errno);
  return ListenHere(spec_.socket_name,
                    {.mode = 0600, .owner_of_dir = true, .backlog = kListenBacklog},
                    &listener_)
      .Wrap(lock);
}

void Server::Accept() {
  UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!fd.valid()) return;
  if (client_.valid()) {
    Log("warning: a new connection replaces the old one");
    DropClient();
  }
  client_ = std::move(fd);
  ++connection_;
  parser_ = RecordParser(kRequestFields);
}

// Forgets the connection: results of its running deliveries are dropped
// (yubin-send counts them as temporary failures and sends them again). A
// batch is stopped too, or every message left in it would go out twice.
void Server::DropClient() {
  client_.reset();
  out_.clear();
  incoming_.clear();
  size_t stopped = 0;
  for (auto& [pid, c] : children_) {
    if (!spec_.batches || c.connection != connection_ || c.reaped) continue;
    if (c.delivery.empty()) {  // a kept child between batches
      c.channel.reset();
      c.idle = false;
      continue;
    }
    if (kill(pid, SIGTERM) == 0) ++stopped;
  }
  ++connection_;
  if (stopped > 0) {
    Log("status: stopping " + std::to_string(stopped) + " " + spec_.what +
        " deliveries of the lost connection");
  }
}

void Server::Send(const DeliveryResult& r) {
  if (!client_.valid()) return;
  out_ += FormatResult(r);
}

void Server::FailAll(const Delivery& d, const std::string& text) {
  for (const DeliveryRequest& r : d) Send({r.id, r.index, 111, text});
}

void Server::Start(Delivery d) {
  std::vector<UniqueFd> messages;
  for (uint64_t id : MessagesOf(d)) {
    std::string mess = MessagePath(QueueDir(opt_.root), QueueArea::kMess, id);
    UniqueFd message(OpenRetry(mess.c_str(), O_RDONLY | O_CLOEXEC));
    if (message.valid()) {
      messages.push_back(std::move(message));
      continue;
    }
    const std::string text = "Unable to open " + mess + ": " + strerror(errno) + ". (#4.3.0)";
    Delivery rest;
    for (DeliveryRequest& r : d) {
      if (r.id == id) {
        Send({r.id, r.index, 111, text});
      } else {
        rest.push_back(std::move(r));
      }
    }
    d = std::move(rest);
  }
  if (d.empty()) return;
  if (spec_.keep_children && GiveToKept(d, messages)) return;
  if (children_.size() >= kMaxAgentChildren) {
    FailAll(d, "Too many " + spec_.what + " deliveries at once. (#4.3.0)");
    return;
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    FailAll(d, std::string("Unable to create a pipe: ") + strerror(errno));
    return;
  }
  UniqueFd rd(p[0]), wr(p[1]);
  UniqueFd channel, child_channel;
  if (spec_.keep_children && spec_.run_in_child) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0) {
      channel.reset(sv[0]);
      child_channel.reset(sv[1]);
    }  // else this child is not kept: it quits after its batch
  }
  const std::vector<std::string> args = spec_.arguments(opt_.program, d);
  // A child running the program's code is named in ps as the program.
  const std::string child_name = opt_.program.substr(opt_.program.rfind('/') + 1);
  sigset_t old = signals_.BlockInstalled();
  pid_t pid = fork();
  if (pid == 0) {
    signals_.ResetInChild();
    if (dup2(messages.front().get(), 0) < 0 || dup2(wr.get(), 1) < 0) _exit(111);
    if (spec_.stderr_in_output && dup2(wr.get(), 2) < 0) _exit(111);
    std::vector<int> message_fds;
    for (const UniqueFd& m : messages) message_fds.push_back(m.get());
    const int child_fd = PlaceChildDescriptors(message_fds, child_channel.get());
    if (child_fd == kPlacingFailed) _exit(111);
    if (spec_.run_in_child) {
      // What an exec would have closed: our listener, the connection, the
      // other deliveries' pipes.
      const unsigned first = 3 + (messages.size() > 1 ? static_cast<unsigned>(messages.size()) : 0) +
                             (child_fd >= 0 ? 1 : 0);
      if (close_range(first, ~0U, 0) != 0) _exit(111);
      (void)prctl(PR_SET_NAME, child_name.c_str());
      _exit(spec_.run_in_child(d, child_fd));
    }
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    execv(argv[0], const_cast<char* const*>(argv.data()));
    std::string msg = std::string("Unable to run ") + argv[0] + ": " + strerror(errno) + ". (#4.3.0)";
    (void)!write(spec_.stderr_in_output ? 1 : 2, msg.data(), msg.size());
    _exit(111);
  }
  int fork_errno = errno;
  signals_.RestoreMask(old);
  if (pid < 0) {
    FailAll(d, std::string("Unable to fork: ") + strerror(fork_errno));
    return;
  }
  (void)SetNonBlocking(rd.get(), true);
  Child c;
  if (spec_.keep_children) c.key = spec_.keep_key(d);
  c.delivery = std::move(d);
  c.output = std::move(rd);
  c.connection = connection_;
  c.channel = std::move(channel);
  children_.emplace(pid, std::move(c));
}

// Hands the delivery to a kept child waiting with the same keep_key;
// false when there is none (or it cannot take it).
bool Server::GiveToKept(const Delivery& d, const std::vector<UniqueFd>& messages) {
  std::vector<int> fds;
  for (const UniqueFd& m : messages) fds.push_back(m.get());
  const std::string key = spec_.keep_key(d);
  for (auto& [pid, c] : children_) {
    if (!c.idle || c.reaped || c.connection != connection_ || c.key != key) continue;
    c.idle = false;
    if (!SendBatch(c.channel.get(), d, fds).ok()) {
      c.channel.reset();  // it quits; try another or start a new one
      continue;
    }
    c.delivery = d;
    return true;
  }
  return false;
}

// One read of a child's output pipe (the first max_output bytes of a
// delivery's output are kept); false when nothing was there.
bool Server::ReadOutput(pid_t pid, Child& c) {
  if (!c.output.valid()) return false;
  char buf[4096];
  ssize_t got = read(c.output.get(), buf, sizeof buf);
  if (got > 0) {
    size_t room = spec_.max_output - std::min(spec_.max_output, c.text.size());
    c.text.append(buf, std::min(room, static_cast<size_t>(got)));
    if (spec_.progress) Answer(pid, c, spec_.progress(c.delivery, c.text));
    return true;
  }
  if (got == 0 || (errno != EAGAIN && errno != EINTR)) c.output.reset();
  return got < 0 && errno == EINTR;
}

// A byte from a kept child: its batch is done (its output is all in the
// pipe by now: answer it and keep the child waiting), or it is leaving.
void Server::ReadChannel(pid_t pid, Child& c) {
  unsigned char bytes[2] = {};
  ssize_t n = recv(c.channel.get(), bytes, sizeof bytes, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n < 1 || bytes[0] != kChannelIdle) {
    c.channel.reset();
    c.idle = false;
    return;
  }
  c.batch_status = n == 2 ? W_EXITCODE(bytes[1], 0) : 0;
  while (ReadOutput(pid, c)) {
  }
  Finish(pid, c);
  c.delivery.clear();
  c.text.clear();
  c.sent.clear();
  size_t idle = 0;
  for (const auto& [other, o] : children_) idle += o.idle ? 1 : 0;
  if (terminating_ || c.connection != connection_ || idle >= kMaxIdleChildren) {
    c.channel.reset();
    return;
  }
  c.idle = true;
  c.idle_since = std::chrono::steady_clock::now();
}

// Closes the channel of kept children waiting too long (or of all).
void Server::CloseIdle(bool all) {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [pid, c] : children_) {
    if (!c.idle) continue;
    if (all || now - c.idle_since >= std::chrono::milliseconds(kAgentIdleMilliseconds)) {
      c.channel.reset();
      c.idle = false;
    }
  }
}

// Milliseconds until the first waiting child's time is up, or -1.
int Server::IdleTimeout() const {
  const auto now = std::chrono::steady_clock::now();
  int timeout = -1;
  for (const auto& [pid, c] : children_) {
    if (!c.idle) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    c.idle_since + std::chrono::milliseconds(kAgentIdleMilliseconds) - now)
                    .count();
    int ms = static_cast<int>(std::max<int64_t>(left, 0)) + 1;
    if (timeout < 0 || ms < timeout) timeout = ms;
  }
  return timeout;
}

// A delivery of several requests must be for one domain: the program runs
// once for all of them, against that domain's servers.
bool Server::Acceptable(const Delivery& d) const {
  for (const DeliveryRequest& r : d) {
    if (strcasecmp(r.domain.c_str(), d.front().domain.c_str()) != 0) return false;
  }
  return true;
}

void Server::ReadClient() {
  char buf[kRecordReadBytes];
  ssize_t n = read(client_.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    DropClient();
    return;
  }
  parser_.Feed(std::string_view(buf, static_cast<size_t>(n)));
  while (auto rec = parser_.Next()) {
    std::optional<DeliveryRequest> r = ParseRequest(*rec);
    if (!r) {
      Log("warning: malformed request; dropping the connection");
      DropClient();
      return;
    }
    bool more = spec_.batches && r->more;
    incoming_.push_back(std::move(*r));
    if (more && incoming_.size() < kMaxDeliveryRequests) continue;
    Delivery d = std::move(incoming_);
    incoming_.clear();
    if (more || !Acceptable(d)) {
      Log(std::string("warning: ") +
          (more ? "a delivery of more than " + std::to_string(kMaxDeliveryRequests) + " requests"
                : "a delivery for several domains") +
          "; dropping the connection");
      DropClient();
      return;
    }
    if (terminating_) {
      FailAll(d, "The " + spec_.what + " delivery service is stopping. (#4.3.0)");
    } else {
      Start(std::move(d));
    }
  }
  if (parser_.failed()) {
    Log("warning: protocol error; dropping the connection");
    DropClient();
  }
}

// Sends the results not sent yet.
void Server::Answer(pid_t pid, Child& c, std::vector<DeliveryResult> results) {
  for (DeliveryResult& r : results) {
    if (!c.sent.emplace(r.id, r.index).second) continue;
    if (r.text.size() > kMaxResultText) r.text.resize(kMaxResultText);
    Log("delivery " + std::to_string(r.id) + "." + std::to_string(r.index) + " pid " +
        std::to_string(pid) + ": status " + std::to_string(r.status));
    if (c.connection == connection_) Send(r);
  }
}

// The results of the child's delivery: at its exit (wait status), or for a
// kept child when it says its batch is done (as if it had exited 0).
void Server::Finish(pid_t pid, Child& c) {
  if (c.delivery.empty()) return;  // a kept child that was waiting
  Answer(pid, c, spec_.result(c.delivery, c.reaped ? c.wstatus : c.batch_status, c.text));
}

void Server::Reap() {
  int ws;
  pid_t pid;
  while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
    auto it = children_.find(pid);
    if (it == children_.end()) continue;
    it->second.reaped = true;
    it->second.wstatus = ws;
  }
}

int Server::Run() {
  signal(SIGPIPE, SIG_IGN);
  Status s = signals_.Install({SIGCHLD, SIGTERM, SIGHUP});
  if (s.ok()) s = Listen();
  if (!s.ok()) {
    Log("alert: " + s.message());
    return 111;
  }
  Log("status: " + spec_.name + " listening on " + LockDir(QueueDir(opt_.root)) + "/" +
      spec_.socket_name);
  if (opt_.ready_fd >= 0) {
    (void)WriteAll(opt_.ready_fd, "\n");
    close(opt_.ready_fd);
  }
  time_t deadline = 0;
  for (;;) {
    if (terminating_ && children_.empty() && out_.empty()) return 0;
    if (terminating_ && time(nullptr) >= deadline) {
      Log("status: exiting with " + std::to_string(children_.size()) + " deliveries running");
      return 0;
    }
    std::vector<struct pollfd> fds;
    fds.push_back({signals_.fd(), POLLIN, 0});
    fds.push_back({terminating_ ? -1 : listener_.get(), POLLIN, 0});
    fds.push_back({client_.valid() ? client_.get() : -1,
                   static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0});
    std::vector<pid_t> order;
    for (auto& [pid, c] : children_) {
      if (!c.output.valid()) continue;
      fds.push_back({c.output.get(), POLLIN, 0});
      order.push_back(pid);
    }
    const size_t channels_at = fds.size();
    std::vector<pid_t> channel_order;
    for (auto& [pid, c] : children_) {
      if (!c.channel.valid()) continue;
      fds.push_back({c.channel.get(), POLLIN, 0});
      channel_order.push_back(pid);
    }
    int timeout = terminating_ ? static_cast<int>(std::max<time_t>(deadline - time(nullptr), 0) * 1000 + 1) : -1;
    if (int idle = IdleTimeout(); idle >= 0 && (timeout < 0 || idle < timeout)) timeout = idle;
    int n = poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno != EINTR) {
      Log(std::string("alert: poll: ") + strerror(errno));
      return 111;
    }
    CloseIdle(terminating_);
    if (n <= 0) continue;
    if ((fds[0].revents & POLLIN) != 0) {
      while (int sig = signals_.Next()) {
        if (sig == SIGCHLD) Reap();
        if (sig == SIGHUP) {  // say, after a change of users/assign or smtproutes
          size_t kept = 0;
          for (const auto& [pid, c] : children_) kept += c.idle ? 1 : 0;
          Log("status: got HUP: letting " + std::to_string(kept) + " kept deliveries go");
          CloseIdle(true);
        }
        if (sig == SIGTERM && !terminating_) {
          terminating_ = true;
          deadline = time(nullptr) + kAgentTermWaitSeconds;
          listener_.reset();
          unlink(spec_.socket_name.c_str());
          CloseIdle(true);
          Log("status: SIGTERM: waiting for " + std::to_string(children_.size()) + " deliveries");
        }
      }
    }
    for (size_t i = 0; i < order.size(); ++i) {
      if (fds[3 + i].revents == 0) continue;
      (void)ReadOutput(order[i], children_[order[i]]);
    }
    for (size_t i = 0; i < channel_order.size(); ++i) {
      if (fds[channels_at + i].revents == 0) continue;
      auto it = children_.find(channel_order[i]);
      if (it != children_.end() && it->second.channel.valid()) ReadChannel(it->first, it->second);
    }
    for (auto it = children_.begin(); it != children_.end();) {
      if (it->second.reaped && !it->second.output.valid()) {
        Finish(it->first, it->second);
        it = children_.erase(it);
      } else {
        ++it;
      }
    }
    if (fds[1].fd >= 0 && (fds[1].revents & POLLIN) != 0) Accept();
    if (client_.valid() && fds[2].fd == client_.get()) {
      if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) ReadClient();
    }
    // Results go out in the pass that produced them, not after one more
    // poll for POLLOUT (the socket is non-blocking: a full one says EAGAIN
    // and the rest waits for POLLOUT).
    if (client_.valid() && !out_.empty()) {
      ssize_t w = write(client_.get(), out_.data(), out_.size());
      if (w > 0) {
        out_.erase(0, static_cast<size_t>(w));
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        DropClient();
      }
    }
    if (terminating_ && !client_.valid()) out_.clear();
  }
}

}  // namespace

std::string ProgramBesideUs(const char* env_name, const char* name) {
  const char* env = getenv(env_name);
  if (env != nullptr && *env != '\0') return env;
  return OwnDirectory() + name;
}

bool ProgramIsOurs(const char* env_name) {
  const char* env = getenv(env_name);
  return env == nullptr || *env == '\0';
}

std::string LowerDomain(const Delivery& delivery) {
  std::string domain = delivery.empty() ? std::string() : delivery.front().domain;
  for (char& c : domain) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return domain;
}

std::string AppendLine(const std::string& text, const std::string& line) {
  return text + (text.empty() ? "" : "\n") + line;
}

int RunAgentServer(const AgentSpec& spec, const AgentOptions& options) {
  Server s(spec, options);
  return s.Run();
}

}  // namespace yubin::queue
