#include "lib/tcpserver/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

#include "lib/base/fd.h"
#include "lib/rules/rules_lookup.h"
#include "lib/tcpserver/address.h"
#include "lib/tcpserver/connection_log.h"
#include "lib/tcpserver/host_lookup.h"
#include "lib/tcpserver/per_ip_limits.h"
#include "lib/tcpserver/privileges.h"

namespace yubin::tcpserver {
namespace {

constexpr char kDrop[] = "tcpserver: warning: dropping connection, ";
constexpr size_t kSelfPipeDrainBytes = 64;

int g_self_pipe_write = -1;

void OnSigchld(int) {
  int saved = errno;
  char byte = 0;
  (void)!write(g_self_pipe_write, &byte, 1);
  errno = saved;
}

void Log(const std::string& line) { (void)WriteAll(2, line); }

[[noreturn]] void DropConnection(const ServerOptions& o,
                                 const std::string& why) {
  if (o.verbosity >= 1) Log(std::string(kDrop) + why + "\n");
  _exit(111);
}

void SetOrUnset(const char* name, const std::optional<std::string>& value) {
  if (value) setenv(name, value->c_str(), 1);
  else unsetenv(name);
}

// Everything the child does between fork and exec. Never returns.
[[noreturn]] void ServeConnection(const ServerOptions& o, int fd,
                                  const sockaddr_storage& peer) {
  if (!o.banner.empty()) (void)WriteAll(fd, o.banner);
  const pid_t pid = getpid();
  const sockaddr_storage remote_addr = UnmapIpv4(peer);
  const Endpoint remote = EndpointOf(remote_addr);
  if (o.verbosity >= 2) Log(PidFromLine(pid, remote.ip));

  sockaddr_storage local_raw;
  socklen_t len = sizeof local_raw;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local_raw), &len) != 0)
    DropConnection(o, std::string("unable to get local address: ") +
                          strerror(errno));
  const sockaddr_storage local_addr = UnmapIpv4(local_raw);
  const Endpoint local = EndpointOf(local_addr);
  if (o.no_delay) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (o.kill_ip_options && local_raw.ss_family == AF_INET)
    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, nullptr, 0);

  std::optional<std::string> local_host = o.local_name;
  if (!local_host) local_host = LookUpHostName(local_addr);
  std::optional<std::string> remote_host;
  if (o.lookup_remote_host) {
    remote_host = LookUpHostName(remote_addr);
    if (remote_host && o.paranoid &&
        !HostNameHasAddress(*remote_host, remote_addr))
      remote_host.reset();
  }

  setenv("PROTO", remote.ipv6 ? "TCP6" : "TCP", 1);
  setenv("TCPLOCALIP", local.ip.c_str(), 1);
  setenv("TCPLOCALPORT", std::to_string(local.port).c_str(), 1);
  SetOrUnset("TCPLOCALHOST", local_host);
  setenv("TCPREMOTEIP", remote.ip.c_str(), 1);
  setenv("TCPREMOTEPORT", std::to_string(remote.port).c_str(), 1);
  SetOrUnset("TCPREMOTEHOST", remote_host);
  unsetenv("TCPREMOTEINFO");  // ident is never asked (see tcpserver.8)

  bool deny = false;
  if (!o.rules_path.empty()) {
    UniqueFd rules(OpenRetry(o.rules_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!rules.valid()) {
      if (errno != ENOENT || !o.allow_missing_rules)
        DropConnection(o, "unable to read " + o.rules_path + ": " +
                              strerror(errno));
    } else {
      Result<rules::RuleMatch> match = rules::LookupRules(
          rules.get(), {.ip = remote.ip, .host = remote_host, .info = {}});
      if (!match.ok())
        DropConnection(o, "unable to read " + o.rules_path + ": " +
                              match.status().message());
      deny = match->decision.deny;
      for (const auto& [name, value] : match->decision.env)
        setenv(name.c_str(), value.c_str(), 1);
    }
  }
  if (o.verbosity >= 2)
    Log(DecisionLine(deny, pid, local_host, local, remote_host, remote, {}));
  if (deny) _exit(100);

  if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
    DropConnection(o, std::string("unable to set up descriptors: ") +
                          strerror(errno));
  if (fd > 1) close(fd);
  std::vector<char*> argv;
  for (const std::string& arg : o.program)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  DropConnection(o, "unable to run " + o.program[0] + ": " + strerror(errno));
}

class Server {
 public:
  explicit Server(const ServerOptions& o)
      : o_(o), limits_(o.per_ip_limit, o.per_ip_rate) {}

  Status Run();

 private:
  Status Listen();
  Status SetUpSignals();
  void Reap();
  void AcceptReady();
  void StartChild(UniqueFd fd, const sockaddr_storage& peer);
  void PrintStatus() {
    if (o_.verbosity >= 2) Log(StatusLine(children_.size(), o_.limit));
  }

  const ServerOptions& o_;
  PerIpLimits limits_;
  UniqueFd listen_fd_;
  UniqueFd pipe_read_;
  UniqueFd pipe_write_;
  // pid -> remote address, for -C and for counting children.
  std::unordered_map<pid_t, std::string> children_;
  // Set when accept(2) ran out of descriptors; cleared when a child exits,
  // so a full descriptor table does not spin the loop.
  bool accept_paused_ = false;
};

Status Server::Listen() {
  Result<sockaddr_storage> addr = ResolveListenAddress(o_.host, o_.port);
  if (!addr.ok()) return addr.status();
  const int family = addr->ss_family;
  listen_fd_.reset(
      socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listen_fd_.valid())
    return Status::FromErrno("unable to create socket", errno);
  int one = 1, zero = 0;
  setsockopt(listen_fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6)  // "::" also takes IPv4 clients
    setsockopt(listen_fd_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  socklen_t len = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (bind(listen_fd_.get(), reinterpret_cast<const sockaddr*>(&*addr), len))
    return Status::FromErrno("unable to bind", errno);
  if (listen(listen_fd_.get(), static_cast<int>(o_.backlog)) != 0)
    return Status::FromErrno("unable to listen", errno);
  return Status::Ok();
}

Status Server::SetUpSignals() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
    return Status::FromErrno("unable to create self-pipe", errno);
  pipe_read_.reset(fds[0]);
  pipe_write_.reset(fds[1]);
  g_self_pipe_write = fds[1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, nullptr) != 0)
    return Status::FromErrno("unable to catch SIGCHLD", errno);
  signal(SIGPIPE, SIG_IGN);
  return Status::Ok();
}

void Server::Reap() {
  char drain[kSelfPipeDrainBytes];
  while (read(pipe_read_.get(), drain, sizeof drain) > 0) {
  }
  int wstat;
  pid_t pid;
  while ((pid = waitpid(-1, &wstat, WNOHANG)) > 0) {
    auto it = children_.find(pid);
    if (it == children_.end()) continue;
    if (o_.verbosity >= 2) Log(EndLine(pid, wstat));
    limits_.Ended(it->second);
    children_.erase(it);
    accept_paused_ = false;
    PrintStatus();
  }
}

void Server::StartChild(UniqueFd fd, const sockaddr_storage& peer) {
  const std::string ip = EndpointOf(peer).ip;
  Refusal refusal = limits_.Admit(ip, PerIpLimits::Clock::now());
  if (refusal != Refusal::kNone) {
    if (o_.verbosity >= 1) {
      Log(refusal == Refusal::kConcurrency
              ? "tcpserver: refuse " + ip + " per-IP concurrency limit " +
                    std::to_string(o_.per_ip_limit) + "\n"
              : "tcpserver: refuse " + ip + " per-IP rate limit " +
                    std::to_string(o_.per_ip_rate) + "/minute\n");
    }
    return;  // fd closes here
  }
  // Counted before fork, as ucspi-tcp prints "status" before the child's
  // first line.
  if (o_.verbosity >= 2) Log(StatusLine(children_.size() + 1, o_.limit));
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    listen_fd_.reset();
    pipe_read_.reset();
    pipe_write_.reset();
    ServeConnection(o_, fd.get(), peer);
  }
  if (pid < 0) {
    if (o_.verbosity >= 1)
      Log(std::string(kDrop) + "unable to fork: " + strerror(errno) + "\n");
    PrintStatus();
    return;
  }
  children_.emplace(pid, ip);
  limits_.Started(ip);
}

void Server::AcceptReady() {
  while (children_.size() < o_.limit) {
    sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int fd = accept4(listen_fd_.get(), reinterpret_cast<sockaddr*>(&peer),
                     &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        if (o_.verbosity >= 1)
          Log(std::string("tcpserver: warning: unable to accept: ") +
              strerror(errno) + "\n");
        accept_paused_ = !children_.empty();
      }
      return;  // EAGAIN: the backlog is empty
    }
    StartChild(UniqueFd(fd), peer);
  }
}

Status Server::Run() {
  if (Status s = Listen(); !s.ok()) return s;
  if (Status s = DropPrivileges(o_.uid, o_.gid); !s.ok()) return s;
  if (o_.print_port) {
    sockaddr_storage bound;
    socklen_t len = sizeof bound;
    if (getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&bound),
                    &len) != 0)
      return Status::FromErrno("unable to get local address", errno);
    if (Status s = WriteAll(1, std::to_string(EndpointOf(bound).port) + "\n");
        !s.ok())
      return s;
  }
  // Like ucspi-tcp, let go of stdin and stdout: whoever waits for the -1
  // line sees end of file, and children get only the connection.
  int null_fd = OpenRetry("/dev/null", O_RDWR);
  if (null_fd < 0) return Status::FromErrno("unable to open /dev/null", errno);
  dup2(null_fd, 0);
  dup2(null_fd, 1);
  if (null_fd > 1) close(null_fd);
  if (Status s = SetUpSignals(); !s.ok()) return s;
  PrintStatus();

  for (;;) {
    pollfd fds[2] = {{pipe_read_.get(), POLLIN, 0},
                     {listen_fd_.get(), POLLIN, 0}};
    const bool accepting = children_.size() < o_.limit && !accept_paused_;
    if (!accepting) fds[1].fd = -1;
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("unable to poll", errno);
    }
    if (fds[0].revents) Reap();
    if (fds[1].revents) AcceptReady();
  }
}

}  // namespace

Status RunServer(const ServerOptions& options) {
  Server server(options);
  return server.Run();
}

}  // namespace yubin::tcpserver
