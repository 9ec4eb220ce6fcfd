#include "lib/tcpserver/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/base/fd.h"
#include "lib/rules/rules_file.h"
#include "lib/rules/rules_lookup.h"
#include "lib/tcpserver/address.h"
#include "lib/tcpserver/child_environment.h"
#include "lib/tcpserver/code_mappings.h"
#include "lib/tcpserver/connection_log.h"
#include "lib/tcpserver/host_lookup.h"
#include "lib/tcpserver/per_ip_limits.h"
#include "lib/tcpserver/privileges.h"
#include "lib/tcpserver/session_workers.h"

extern char** environ;

namespace yubin::tcpserver {
namespace {

constexpr char kDropPrefix[] = "tcpserver: warning: dropping connection, ";
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
  if (o.verbosity >= 1) Log(std::string(kDropPrefix) + why + "\n");
  _exit(111);
}

enum class Verdict { kAllow, kDeny, kDrop };

// What a connection gets: addresses, names, the rules' verdict and the
// program's environment.
struct ConnectionPlan {
  Endpoint local;
  Endpoint remote;
  std::optional<std::string> local_host;
  std::optional<std::string> remote_host;
  Verdict verdict = Verdict::kAllow;
  std::string drop_reason;
  ChildEnvironment env{environ};
};

// Looks up names (as the options say), reads the rules and builds the
// environment. Runs in the child, or in the parent when no DNS lookup is
// needed (-H with -l).
ConnectionPlan PlanConnection(const ServerOptions& o, rules::RulesFile* rules, int fd,
                              const sockaddr_storage& peer) {
  ConnectionPlan plan;
  const sockaddr_storage remote_addr = UnmapIpv4(peer);
  plan.remote = EndpointOf(remote_addr);
  sockaddr_storage local_raw;
  socklen_t len = sizeof local_raw;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local_raw), &len) != 0) {
    plan.verdict = Verdict::kDrop;
    plan.drop_reason =
        std::string("unable to get local address: ") + strerror(errno);
    return plan;
  }
  const sockaddr_storage local_addr = UnmapIpv4(local_raw);
  plan.local = EndpointOf(local_addr);
  if (o.no_delay) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (o.kill_ip_options && local_raw.ss_family == AF_INET)
    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, nullptr, 0);

  plan.local_host = o.local_name;
  if (!plan.local_host) plan.local_host = LookUpHostName(local_addr);
  if (o.lookup_remote_host) {
    plan.remote_host = LookUpHostName(remote_addr);
    if (plan.remote_host && o.paranoid &&
        !HostNameHasAddress(*plan.remote_host, remote_addr))
      plan.remote_host.reset();
  }

  ChildEnvironment& env = plan.env;
  env.Set("PROTO", plan.remote.ipv6 ? "TCP6" : "TCP");
  env.Set("TCPLOCALIP", plan.local.ip);
  env.Set("TCPLOCALPORT", std::to_string(plan.local.port));
  if (plan.local_host) env.Set("TCPLOCALHOST", *plan.local_host);
  else env.Unset("TCPLOCALHOST");
  env.Set("TCPREMOTEIP", plan.remote.ip);
  env.Set("TCPREMOTEPORT", std::to_string(plan.remote.port));
  if (plan.remote_host) env.Set("TCPREMOTEHOST", *plan.remote_host);
  else env.Unset("TCPREMOTEHOST");
  env.Unset("TCPREMOTEINFO");  // ident is never asked (see tcpserver.8)

  if (rules == nullptr) return plan;
  Result<rules::RuleMatch> match =
      rules->Lookup({.ip = plan.remote.ip, .host = plan.remote_host, .info = {}});
  if (!match.ok()) {
    if (match.status().error_number() != ENOENT || !o.allow_missing_rules) {
      plan.verdict = Verdict::kDrop;
      plan.drop_reason = match.status().message();
    }
    return plan;
  }
  if (match->decision.deny) plan.verdict = Verdict::kDeny;
  for (const auto& [name, value] : match->decision.env) env.Set(name, value);
  return plan;
}

std::vector<char*> ProgramArgv(const ServerOptions& o) {
  std::vector<char*> argv;
  for (const std::string& arg : o.program)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

std::string ProgramPath(const ServerOptions& o, const ChildEnvironment& env,
                        int* error) {
  std::optional<std::string_view> path = env.Get("PATH");
  return ResolveProgram(o.program[0], path ? *path : kDefaultPath, error);
}

std::string DecisionLineFor(bool deny, pid_t pid, const ConnectionPlan& p) {
  return DecisionLine(deny, pid, p.local_host, p.local, p.remote_host,
                      p.remote, {});
}

// True when path is the program whose code this tcpserver runs in the
// child (ServerOptions::run_in_child).
bool IsInProcess(const ServerOptions& o, const std::string& path) {
  if (!o.run_in_child || !o.in_process_file) return false;
  struct stat st;
  return stat(path.c_str(), &st) == 0 && st.st_dev == o.in_process_file->first &&
         st.st_ino == o.in_process_file->second;
}

// What an exec would leave: the signal dispositions and environ; then the
// linked-in program's code. Returns its exit status.
int RunLinkedIn(const ServerOptions& o, char** envp) {
  signal(SIGCHLD, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  alarm(0);
  environ = envp;
  return o.run_in_child();
}

// In the forked child, in place of execve(2). The caller has closed
// tcpserver's own descriptors, which an exec would have closed (they are
// close-on-exec).
[[noreturn]] void RunInChild(const ServerOptions& o, char** envp) {
  _exit(RunLinkedIn(o, envp));
}

// RunLinkedIn in a worker, whose copy of what prepare_in_parent read ages
// between connections.
int RunLinkedInAgain(const ServerOptions& o, char** envp) {
  if (o.prepare_in_parent) o.prepare_in_parent();
  return RunLinkedIn(o, envp);
}

// A worker's connection that the parent planned (ForkPrepared): payload
// is the program's environment.
int ServePrepared(const ServerOptions& o, std::string_view payload) {
  std::vector<char*> env;
  if (!SplitEnvironmentBlock(payload, &env)) return 111;
  return RunLinkedInAgain(o, env.data());
}

// The connection on 0 and 1 when this process must look names up itself:
// from the banner to the program. In a one-off child (worker false) the
// program replaces the process (exec, or the linked-in code and _exit); a
// worker runs the linked-in code and returns its status, or forks a child
// for another program and returns that child's.
int ServePlanned(const ServerOptions& o, rules::RulesFile* rules,
                 const sockaddr_storage& peer, bool worker) {
  if (!o.banner.empty()) (void)WriteAll(1, o.banner);
  const pid_t pid = getpid();
  if (o.verbosity >= 2) Log(PidFromLine(pid, EndpointOf(UnmapIpv4(peer)).ip));
  ConnectionPlan plan = PlanConnection(o, rules, 0, peer);
  if (plan.verdict == Verdict::kDrop) {
    if (o.verbosity >= 1) Log(std::string(kDropPrefix) + plan.drop_reason + "\n");
    return 111;
  }
  const bool deny = plan.verdict == Verdict::kDeny;
  if (o.verbosity >= 2) Log(DecisionLineFor(deny, pid, plan));
  if (deny) return 100;

  int error = 0;
  std::string path = ProgramPath(o, plan.env, &error);
  if (!path.empty()) {
    std::vector<char*> argv = ProgramArgv(o);
    std::vector<char*> envp = plan.env.Pointers();
    if (IsInProcess(o, path)) {
      if (!worker) RunInChild(o, envp.data());
      return RunLinkedInAgain(o, envp.data());
    }
    const pid_t child = worker ? fork() : 0;
    if (child == 0) {
      signal(SIGCHLD, SIG_DFL);
      signal(SIGPIPE, SIG_DFL);
      execve(path.c_str(), argv.data(), envp.data());
      error = errno;
      if (worker) {
        if (o.verbosity >= 1)
          Log(std::string(kDropPrefix) + "unable to run " + o.program[0] + ": " +
              strerror(error) + "\n");
        _exit(111);
      }
    } else if (child > 0) {
      int wstat = 0;
      while (waitpid(child, &wstat, 0) < 0 && errno == EINTR) {
      }
      return WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 111;
    } else {
      error = errno;
    }
  }
  if (o.verbosity >= 1)
    Log(std::string(kDropPrefix) + "unable to run " + o.program[0] + ": " + strerror(error) +
        "\n");
  return 111;
}

// The forked one-off child when it must look names up itself. Never
// returns.
[[noreturn]] void ServeConnection(const ServerOptions& o, rules::RulesFile* rules, int fd,
                                  const sockaddr_storage& peer) {
  if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
    DropConnection(o, std::string("unable to set up descriptors: ") + strerror(errno));
  if (fd > 1) close(fd);
  // Nothing of tcpserver's stays open (workers' channels among them): an
  // in-process program gets no exec to close them.
  close_range(3, ~0U, 0);
  _exit(ServePlanned(o, rules, peer, false));
}

class Server {
 public:
  explicit Server(const ServerOptions& o)
      : o_(o), limits_(o.per_ip_limit, o.per_ip_rate), pool_(o.max_uses) {
    if (!o.rules_path.empty()) rules_ = std::make_unique<rules::RulesFile>(o.rules_path);
  }

  Status Run();

 private:
  Status Listen();
  Status SetUpSignals();
  void Reap();
  void AcceptReady();
  void StartChild(UniqueFd fd, const sockaddr_storage& peer);
  // The common "-HRl0" case: the parent plans the connection (rules,
  // environment, log lines) and the forked child only execs.
  void ForkPrepared(int fd, const sockaddr_storage& peer,
                    const std::string& ip);
  // ucspi-tcp's "pid" and "ok"/"deny" lines (or the drop) for pid.
  void LogStarted(pid_t pid, const ConnectionPlan& plan);
  // True when the program, resolved with tcpserver's own $PATH, is the
  // linked-in one (run_in_child), so that a worker can serve it.
  bool ProgramIsLinkedIn();
  // Bookkeeping after fork(2) returned pid in the parent.
  void Forked(pid_t pid, const std::string& ip);
  // The connections session workers reported done.
  void Finished(const std::vector<WorkerPool::Finished>& done);
  // Connections being served: one-off children and busy workers.
  unsigned Active() const {
    return static_cast<unsigned>(children_.size() + pool_.busy());
  }
  void PrintStatus() {
    if (o_.verbosity >= 2) Log(StatusLine(Active(), o_.limit));
  }

  const ServerOptions& o_;
  PerIpLimits limits_;
  // The -x cdb, kept mapped between connections (rules_file.h).
  std::unique_ptr<rules::RulesFile> rules_;
  UniqueFd listen_fd_;
  UniqueFd pipe_read_;
  UniqueFd pipe_write_;
  // pid -> remote address, for -C and for counting children.
  std::unordered_map<pid_t, std::string> children_;
  // -m: processes that serve one connection after another.
  WorkerPool pool_;
  // Set when accept(2) ran out of descriptors; cleared when a child exits,
  // so a full descriptor table does not spin the loop.
  bool accept_paused_ = false;
  // The program's resolved path, for the PATH it was resolved with.
  std::string program_path_;
  std::string program_path_key_;
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
    if (it == children_.end()) {
      // A worker that died serving a connection ends it; an idle or
      // retired one ended none.
      std::optional<std::string> ip = pool_.Exited(pid);
      if (!ip) continue;
      if (o_.verbosity >= 2) Log(EndLine(pid, wstat));
      limits_.Ended(*ip);
      accept_paused_ = false;
      PrintStatus();
      continue;
    }
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
  // Without DNS lookups nothing in the plan can block, so the parent makes
  // it and the child only has to exec; otherwise the child does it all.
  const bool prepared = !o_.lookup_remote_host && o_.local_name;
  if (prepared) {
    ForkPrepared(fd.get(), peer, ip);
    return;
  }
  // Counted before fork, as ucspi-tcp prints "status" before the child's
  // first line.
  if (o_.verbosity >= 2) Log(StatusLine(Active() + 1, o_.limit));
  // With -m, an idle worker takes the connection (and looks names up
  // itself), or a new worker is forked for it.
  UniqueFd channel, child_end;
  std::string payload;
  if (pool_.enabled()) {
    if (!ProgramIsLinkedIn()) {
      pool_.CloseIdle();
    } else {
      payload.assign(reinterpret_cast<const char*>(&peer), sizeof peer);
      if (pool_.HandOff(fd.get(), payload, ip)) {
        limits_.Started(ip);
        return;
      }
      if (Result<UniqueFd> c = pool_.NewChannel(&child_end); c.ok()) channel = std::move(*c);
    }
  }
  if (o_.run_in_child && o_.prepare_in_parent) o_.prepare_in_parent();
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    listen_fd_.reset();
    pipe_read_.reset();
    pipe_write_.reset();
    if (child_end.valid()) {
      if (dup2(fd.get(), 0) < 0 || dup2(fd.get(), 1) < 0) _exit(111);
      ServeConnections(
          child_end.get(),
          [this](std::string_view p) {
            sockaddr_storage from;
            if (p.size() != sizeof from) return 111;
            memcpy(&from, p.data(), sizeof from);
            return ServePlanned(o_, rules_.get(), from, true);
          },
          payload);
    }
    ServeConnection(o_, rules_.get(), fd.get(), peer);
  }
  if (pid > 0 && channel.valid()) {
    pool_.Started(pid, std::move(channel), ip);
    limits_.Started(ip);
    return;
  }
  Forked(pid, ip);
}

bool Server::ProgramIsLinkedIn() {
  if (!o_.run_in_child) return false;
  const char* path_env = std::getenv("PATH");
  std::string path_key(path_env ? path_env : kDefaultPath);
  if (path_key != program_path_key_ || program_path_.empty()) {
    int error = 0;
    program_path_ = ResolveProgram(o_.program[0], path_key, &error);
    program_path_key_ = path_key;
  }
  return !program_path_.empty() && IsInProcess(o_, program_path_);
}

void Server::Forked(pid_t pid, const std::string& ip) {
  if (pid < 0) {
    if (o_.verbosity >= 1)
      Log(std::string(kDropPrefix) + "unable to fork: " + strerror(errno) +
          "\n");
    PrintStatus();
    return;
  }
  children_.emplace(pid, ip);
  limits_.Started(ip);
}

void Server::Finished(const std::vector<WorkerPool::Finished>& done) {
  for (const WorkerPool::Finished& f : done) {
    // Logged as the exit of a child with that status would be.
    if (o_.verbosity >= 2) Log(EndLine(f.pid, (f.status & 0xff) << 8));
    limits_.Ended(f.ip);
    accept_paused_ = false;
    PrintStatus();
  }
}

void Server::ForkPrepared(int fd, const sockaddr_storage& peer,
                          const std::string& ip) {
  ConnectionPlan plan = PlanConnection(o_, rules_.get(), fd, peer);
  size_t banner_sent = 0;
  if (!o_.banner.empty()) {
    // A fresh socket takes a short banner at once; the child writes what
    // did not fit.
    ssize_t n = send(fd, o_.banner.data(), o_.banner.size(),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    banner_sent = n > 0 ? static_cast<size_t>(n) : 0;
  }
  int error = 0;
  if (plan.verdict == Verdict::kAllow) {
    std::optional<std::string_view> path_env = plan.env.Get("PATH");
    std::string path_key(path_env ? *path_env : kDefaultPath);
    if (path_key != program_path_key_ || program_path_.empty()) {
      program_path_ = ProgramPath(o_, plan.env, &error);
      program_path_key_ = path_key;
    }
    if (program_path_.empty()) {
      plan.verdict = Verdict::kDrop;
      plan.drop_reason =
          "unable to run " + o_.program[0] + ": " + strerror(error);
    }
  }
  std::vector<char*> argv = ProgramArgv(o_);
  std::vector<char*> envp = plan.env.Pointers();
  // Looked at for every connection: a yubin-smtpd replaced since (an
  // upgrade) is another file, and gets exec'd.
  const bool in_process = plan.verdict == Verdict::kAllow && IsInProcess(o_, program_path_);
  const std::string exec_failure =
      std::string(kDropPrefix) + "unable to run " + o_.program[0] + ": ";

  // An allowed connection whose program is not (or no longer) the linked-in
  // one: the idle workers run a program replaced since.
  if (plan.verdict == Verdict::kAllow && !in_process) pool_.CloseIdle();
  if (o_.verbosity >= 2) Log(StatusLine(Active() + 1, o_.limit));
  // With -m, an idle worker takes the connection, or a new worker is
  // forked for it; a banner not sent in full gets a one-off child.
  UniqueFd channel, child_end;
  std::string payload;
  if (in_process && pool_.enabled() && banner_sent == o_.banner.size()) {
    payload = EnvironmentBlock(envp.data());
    if (std::optional<pid_t> worker = pool_.HandOff(fd, payload, ip)) {
      limits_.Started(ip);
      LogStarted(*worker, plan);
      return;
    }
    if (Result<UniqueFd> c = pool_.NewChannel(&child_end); c.ok()) channel = std::move(*c);
  }
  if (in_process && o_.prepare_in_parent) o_.prepare_in_parent();
  pid_t pid = fork();
  if (pid == 0) {
    // Only small system calls here: every page of code or data the child
    // touches before exec costs it a page fault.
    signal(SIGPIPE, SIG_DFL);
    if (child_end.valid()) signal(SIGCHLD, SIG_DFL);
    if (banner_sent < o_.banner.size())
      (void)WriteAll(fd, std::string_view(o_.banner).substr(banner_sent));
    if (plan.verdict == Verdict::kDeny) _exit(100);
    if (plan.verdict == Verdict::kDrop) _exit(111);
    if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0) _exit(111);
    if (in_process) {
      if (fd > 1) close(fd);
      listen_fd_.reset();
      pipe_read_.reset();
      pipe_write_.reset();
      if (child_end.valid()) {
        ServeConnections(
            child_end.get(), [this](std::string_view p) { return ServePrepared(o_, p); },
            payload);
      }
      // Other workers' channels must not stay open here.
      if (pool_.enabled()) close_range(3, ~0U, 0);
      RunInChild(o_, envp.data());
    }
    execve(program_path_.c_str(), argv.data(), envp.data());
    if (o_.verbosity >= 1) Log(exec_failure + strerror(errno) + "\n");
    _exit(111);
  }
  if (pid > 0 && channel.valid()) {
    pool_.Started(pid, std::move(channel), ip);
    limits_.Started(ip);
  } else {
    Forked(pid, ip);
    if (pid < 0) return;
  }
  LogStarted(pid, plan);
}

void Server::LogStarted(pid_t pid, const ConnectionPlan& plan) {
  // The lines ucspi-tcp's child prints, printed here with the child's pid.
  if (o_.verbosity >= 2) Log(PidFromLine(pid, plan.remote.ip));
  if (plan.verdict == Verdict::kDrop) {
    if (o_.verbosity >= 1)
      Log(std::string(kDropPrefix) + plan.drop_reason + "\n");
  } else if (o_.verbosity >= 2) {
    Log(DecisionLineFor(plan.verdict == Verdict::kDeny, pid, plan));
  }
}

void Server::AcceptReady() {
  while (Active() < o_.limit) {
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
        accept_paused_ = Active() > 0;
      }
      return;  // EAGAIN: the backlog is empty
    }
    StartChild(UniqueFd(fd), peer);
  }
}

Status Server::Run() {
  if (Status s = Listen(); !s.ok()) return s;
  // Children that run the program's code without an exec start with the
  // code this server has run mapped (code_mappings.h); exec'd ones would
  // throw the copied entries away at once. Before the privileges go: a
  // process whose uid changed may no longer open its own /proc/self/mem.
  if (o_.run_in_child) ShareCodeMappingsWithChildren();
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

  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({pipe_read_.get(), POLLIN, 0});
    fds.push_back({listen_fd_.get(), POLLIN, 0});
    const bool accepting = Active() < o_.limit && !accept_paused_;
    if (!accepting) fds[1].fd = -1;
    pool_.AppendPollFds(&fds);
    const int timeout = pool_.RetireIdle(WorkerPool::Clock::now());
    if (poll(fds.data(), fds.size(), timeout) < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("unable to poll", errno);
    }
    // Reports first: a worker that reported and then died ended no
    // connection of its own.
    if (fds.size() > 2) Finished(pool_.Collect(fds, 2));
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
