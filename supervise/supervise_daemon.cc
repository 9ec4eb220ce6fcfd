#include "supervise/supervise_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "lib/base/durable_file.h"
#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "supervise/control_letter.h"
#include "supervise/death_tally.h"
#include "supervise/event_fifodir.h"
#include "supervise/self_pipe.h"
#include "supervise/service_config.h"
#include "supervise/service_machine.h"
#include "supervise/status_record.h"

extern char** environ;

namespace yubin::supervise {
namespace {

constexpr char kStatusPath[] = "supervise/status";
constexpr char kDeathTallyPath[] = "supervise/death_tally";
constexpr char kEventDir[] = "event";

int64_t MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

MachineConfig ToMachineConfig(const ServiceConfig& c) {
  MachineConfig m;
  m.has_finish = c.has_finish;
  m.down_signal = c.down_signal;
  m.timeout_kill_ms = c.timeout_kill_ms;
  m.timeout_finish_ms = c.timeout_finish_ms;
  return m;
}

std::optional<Event> EventForCommand(const Command& c) {
  switch (c.kind) {
    case CommandKind::kUp: return Event::kUp;
    case CommandKind::kDown: return Event::kDown;
    case CommandKind::kOnce: return Event::kOnce;
    case CommandKind::kOnceAtMost: return Event::kOnceAtMost;
    case CommandKind::kPause: return Event::kPause;
    case CommandKind::kContinue: return Event::kContinue;
    case CommandKind::kSignal: return Event::kSignal;
    case CommandKind::kExit: return Event::kExit;
    case CommandKind::kRestart: return Event::kRestart;
  }
  return std::nullopt;
}

// Opens (creating if needed) a FIFO for reading without blocking.
int OpenFifoReader(const char* path) {
  if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
    FatalErrno(std::string("unable to mkfifo ") + path);
  }
  int fd = OpenRetry(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) FatalErrno(std::string("unable to open ") + path);
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
    Fatal(kExitTemporary, std::string(path) + " is not a FIFO");
  }
  return fd;
}

// Writes msg to stderr from a forked child; no allocation, no stdio.
void ChildFail(const char* what, const char* dir) {
  const char* err = strerror(errno);
  const char* parts[] = {"supervise: fatal: unable to start ", dir, "/", what,
                         ": ", err, "\n"};
  for (const char* p : parts) (void)!write(2, p, strlen(p));
  _exit(kExitTemporary);
}

class Supervisor {
 public:
  explicit Supervisor(const char* dir)
      : dir_(dir), machine_(MachineConfig{}, true) {}

  int Run();

 private:
  void SetUp();
  void Feed(const Input& in);
  void FeedEvent(Event e, int signal = 0, int wstat = 0);
  void Execute(const Action& a);
  pid_t Spawn(const char* path, const char* const* argv, int notify_write);
  void SpawnRun();
  void SpawnFinish();
  void WriteStatus();
  void ReadControl();
  void ReadReadiness();
  void CloseReadiness();
  void ReapChildren();
  void HandleSignal(int sig);

  const char* dir_;
  ServiceMachine machine_;
  ServiceConfig config_;
  SelfPipe self_pipe_;
  UniqueFd lock_;
  UniqueFd control_;
  UniqueFd control_keepalive_;  // our own writer: no EOF when clients close
  UniqueFd ok_;
  UniqueFd readiness_;
  int readiness_bytes_ = 0;
  pid_t run_pid_ = 0;
  pid_t finish_pid_ = 0;
  bool exit_now_ = false;
  // A spawn that failed is fed back as the child's immediate death.
  bool run_spawn_failed_ = false;
  bool finish_spawn_failed_ = false;
  Input current_;
};

void Supervisor::SetUp() {
  if (chdir(dir_) < 0) {
    FatalErrno(std::string("unable to chdir to ") + dir_);
  }
  if (mkdir("supervise", 0700) < 0 && errno != EEXIST) {
    FatalErrno(std::string("unable to mkdir ") + dir_ + "/supervise");
  }
  lock_.reset(OpenRetry("supervise/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock_.valid()) {
    FatalErrno(std::string("unable to open ") + dir_ + "/supervise/lock");
  }
  // Two locks on the one file: flock(2) as daemontools-style tools expect,
  // and a POSIX write lock, which is what s6-svstat and s6-svc test with
  // F_GETLK to decide whether a supervisor is running. Linux keeps the two
  // apart, so each kind of client sees the lock it looks for.
  struct flock whole_file = {};
  whole_file.l_type = F_WRLCK;
  whole_file.l_whence = SEEK_SET;
  if (flock(lock_.get(), LOCK_EX | LOCK_NB) < 0 ||
      fcntl(lock_.get(), F_SETLK, &whole_file) < 0) {
    if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EACCES) {
      Fatal(kExitTemporary, std::string(dir_) +
                                ": supervise already running (" + dir_ +
                                "/supervise/lock is held)");
    }
    FatalErrno(std::string("unable to lock ") + dir_ + "/supervise/lock");
  }
  Status s = CreateEventFifodir(kEventDir);
  if (!s.ok()) Fatal(kExitTemporary, s.message());
  control_.reset(OpenFifoReader("supervise/control"));
  control_keepalive_.reset(
      OpenRetry("supervise/control", O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!control_keepalive_.valid()) FatalErrno("unable to open supervise/control");
  ok_.reset(OpenFifoReader("supervise/ok"));
  int tally = OpenRetry(kDeathTallyPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (tally >= 0) CloseFd(tally);
  s = self_pipe_.Install({SIGCHLD, SIGTERM, SIGHUP, SIGINT});
  if (!s.ok()) Fatal(kExitTemporary, s.message());
  config_ = ReadServiceConfig();
  machine_ = ServiceMachine(ToMachineConfig(config_), !config_.normally_down);
}

void Supervisor::FeedEvent(Event e, int signal, int wstat) {
  Input in;
  in.event = e;
  in.signal = signal;
  in.wstat = wstat;
  in.now_ms = MonotonicMs();
  in.now = Tai64n::Now();
  Feed(in);
}

void Supervisor::Feed(const Input& in) {
  config_ = ReadServiceConfig();
  machine_.config() = ToMachineConfig(config_);
  current_ = in;
  Actions actions = machine_.Step(in);
  for (const Action& a : actions) Execute(a);
  if (run_spawn_failed_) {
    run_spawn_failed_ = false;
    FeedEvent(Event::kRunExited, 0, kExitTemporary << 8);
  }
  if (finish_spawn_failed_) {
    finish_spawn_failed_ = false;
    FeedEvent(Event::kFinishExited);
  }
}

void Supervisor::Execute(const Action& a) {
  switch (a.kind) {
    case ActionKind::kSpawnRun:
      SpawnRun();
      break;
    case ActionKind::kSpawnFinish:
      SpawnFinish();
      break;
    case ActionKind::kSignalRun:
      if (run_pid_ > 0) kill(run_pid_, a.arg);
      break;
    case ActionKind::kKillFinish:
      if (finish_pid_ > 0) kill(finish_pid_, SIGKILL);
      break;
    case ActionKind::kRecordDeath: {
      Status s = AppendDeathTally(kDeathTallyPath, machine_.status().wstat,
                                  current_.now, config_.max_death_tally);
      if (!s.ok()) Warn(std::string(dir_) + ": " + s.message());
      break;
    }
    case ActionKind::kWriteStatus:
      WriteStatus();
      break;
    case ActionKind::kNotify:
      NotifyEventFifodir(kEventDir, static_cast<char>(a.arg));
      break;
    case ActionKind::kExitSupervisor:
      exit_now_ = true;
      break;
  }
}

void Supervisor::WriteStatus() {
  uint8_t rec[kS6StatusSize];
  PackS6Status(machine_.status(), rec);
  Status s = WriteFileAtomically(
      kStatusPath, std::string_view(reinterpret_cast<char*>(rec), sizeof rec),
      0644);
  if (!s.ok()) Warn(std::string(dir_) + ": " + s.message());
}

pid_t Supervisor::Spawn(const char* path, const char* const* argv,
                        int notify_write) {
  sigset_t old_mask = self_pipe_.BlockInstalled();
  pid_t pid = fork();
  if (pid != 0) {
    self_pipe_.RestoreMask(old_mask);
    return pid;
  }
  self_pipe_.ResetInChild();
  setsid();
  if (notify_write >= 0) {
    int want = config_.notification_fd;
    if (notify_write == want) {
      fcntl(want, F_SETFD, 0);
    } else if (dup2(notify_write, want) < 0) {
      ChildFail("notification-fd", dir_);
    }
  }
  execve(path, const_cast<char* const*>(argv), environ);
  ChildFail(path + 2, dir_);
  return -1;
}

void Supervisor::SpawnRun() {
  CloseReadiness();
  int notify[2] = {-1, -1};
  if (config_.notification_fd >= 0 &&
      pipe2(notify, O_CLOEXEC | O_NONBLOCK) < 0) {
    Warn(std::string(dir_) + ": unable to create the readiness pipe");
    notify[0] = notify[1] = -1;
  }
  const char* argv[] = {"./run", dir_, nullptr};
  pid_t pid = Spawn("./run", argv, notify[1]);
  if (notify[1] >= 0) CloseFd(notify[1]);
  if (pid < 0) {
    Warn(std::string(dir_) + ": unable to fork: " + strerror(errno));
    if (notify[0] >= 0) CloseFd(notify[0]);
    run_pid_ = 0;
    run_spawn_failed_ = true;
    return;
  }
  run_pid_ = pid;
  machine_.status().pid = static_cast<uint64_t>(pid);
  if (notify[0] >= 0) {
    readiness_.reset(notify[0]);
    readiness_bytes_ = 0;
  }
}

void Supervisor::SpawnFinish() {
  int wstat = machine_.status().wstat;
  char code[8];
  char sig[8];
  snprintf(code, sizeof code, "%d",
           WIFSIGNALED(wstat) ? 256 : WEXITSTATUS(wstat));
  snprintf(sig, sizeof sig, "%d", WIFSIGNALED(wstat) ? WTERMSIG(wstat) : 0);
  const char* argv[] = {"./finish", code, sig, dir_, nullptr};
  pid_t pid = Spawn("./finish", argv, -1);
  if (pid < 0) {
    finish_pid_ = 0;
    finish_spawn_failed_ = true;
    return;
  }
  finish_pid_ = pid;
  machine_.status().pid = static_cast<uint64_t>(pid);
}

void Supervisor::CloseReadiness() {
  readiness_.reset();
  readiness_bytes_ = 0;
}

void Supervisor::ReadReadiness() {
  char buf[kReadinessChunk];
  ssize_t n = ReadRetry(readiness_.get(), buf, sizeof buf);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    CloseReadiness();
    return;
  }
  if (memchr(buf, '\n', static_cast<size_t>(n)) != nullptr) {
    CloseReadiness();
    FeedEvent(Event::kReady);
    return;
  }
  readiness_bytes_ += static_cast<int>(n);
  if (readiness_bytes_ > kMaxReadinessBytes) CloseReadiness();
}

void Supervisor::ReadControl() {
  char buf[kControlChunk];
  ssize_t n = ReadRetry(control_.get(), buf, sizeof buf);
  for (ssize_t i = 0; i < n && !exit_now_; ++i) {
    std::optional<Command> c = DecodeControlLetter(buf[i]);
    if (!c) continue;
    std::optional<Event> e = EventForCommand(*c);
    if (e) FeedEvent(*e, c->signal);
  }
}

void Supervisor::ReapChildren() {
  for (;;) {
    int wstat = 0;
    pid_t pid = waitpid(-1, &wstat, WNOHANG);
    if (pid <= 0) return;
    if (pid == run_pid_) {
      run_pid_ = 0;
      CloseReadiness();
      FeedEvent(Event::kRunExited, 0, wstat);
    } else if (pid == finish_pid_) {
      finish_pid_ = 0;
      FeedEvent(Event::kFinishExited);
    }
  }
}

void Supervisor::HandleSignal(int sig) {
  switch (sig) {
    case SIGCHLD:
      ReapChildren();
      break;
    case SIGTERM:
    case SIGINT:
      FeedEvent(Event::kTerm);
      break;
    case SIGHUP:
      FeedEvent(Event::kHangup);
      break;
    default:
      break;
  }
}

int Supervisor::Run() {
  SetUp();
  FeedEvent(Event::kBoot);
  while (!exit_now_) {
    struct pollfd fds[3];
    int nfds = 0;
    fds[nfds++] = {self_pipe_.fd(), POLLIN, 0};
    fds[nfds++] = {control_.get(), POLLIN, 0};
    if (readiness_.valid()) fds[nfds++] = {readiness_.get(), POLLIN, 0};
    int timeout = -1;
    if (machine_.deadline_ms() >= 0) {
      int64_t left = machine_.deadline_ms() - MonotonicMs();
      timeout = left < 0 ? 0 : static_cast<int>(left > 86400000 ? 86400000 : left);
    }
    int r = poll(fds, static_cast<nfds_t>(nfds), timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      FatalErrno("poll");
    }
    if (machine_.deadline_ms() >= 0 && MonotonicMs() >= machine_.deadline_ms()) {
      FeedEvent(Event::kDeadline);
    }
    if (r == 0) continue;
    if (fds[0].revents & POLLIN) {
      while (int sig = self_pipe_.Next()) {
        HandleSignal(sig);
        if (exit_now_) break;
      }
    }
    if (!exit_now_ && (fds[1].revents & POLLIN)) ReadControl();
    if (!exit_now_ && nfds > 2 && fds[2].revents != 0) ReadReadiness();
  }
  return kExitOk;
}

}  // namespace

int RunSupervise(const char* dir) {
  Supervisor supervisor(dir);
  return supervisor.Run();
}

}  // namespace yubin::supervise
