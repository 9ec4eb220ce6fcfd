#include "supervise/svscan_daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "supervise/self_pipe.h"

extern char** environ;

namespace yubin::supervise {
namespace {

int64_t MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

struct ServiceEntry {
  std::string name;
  bool has_log = false;
  bool present = true;       // seen in the last scan
  pid_t main_pid = 0;
  pid_t log_pid = 0;
  bool main_told = false;    // main supervise got SIGTERM
  bool log_told = false;     // log supervise got SIGHUP
  int64_t log_told_ms = 0;
  bool log_forced = false;   // log supervise got SIGTERM after the grace
  UniqueFd pipe_read;        // log's stdin
  UniqueFd pipe_write;       // service's stdout
};

class Scanner {
 public:
  Scanner(const SvscanOptions& o, std::string supervise)
      : options_(o), supervise_(std::move(supervise)) {}
  int Run();

 private:
  void Scan();
  void Advance();
  pid_t StartSupervise(const std::string& dir, int in_fd, int out_fd);
  void Reap();
  void BeginShutdown();
  bool AllGone() const;

  SvscanOptions options_;
  std::string supervise_;
  SelfPipe self_pipe_;
  std::vector<ServiceEntry> services_;
  bool shutting_down_ = false;
  int64_t next_scan_ms_ = -1;
};

pid_t Scanner::StartSupervise(const std::string& dir, int in_fd, int out_fd) {
  sigset_t old_mask = self_pipe_.BlockInstalled();
  pid_t pid = fork();
  if (pid != 0) self_pipe_.RestoreMask(old_mask);
  if (pid < 0) {
    Warn("unable to fork for " + dir + ": " + strerror(errno));
    return 0;
  }
  if (pid > 0) return pid;
  self_pipe_.ResetInChild();
  if (in_fd >= 0 && dup2(in_fd, 0) < 0) _exit(kExitTemporary);
  if (out_fd >= 0 && dup2(out_fd, 1) < 0) _exit(kExitTemporary);
  const char* argv[] = {"supervise", dir.c_str(), nullptr};
  execve(supervise_.c_str(), const_cast<char* const*>(argv), environ);
  const char* parts[] = {"svscan: warning: unable to exec ", supervise_.c_str(),
                         ": ", strerror(errno), "\n"};
  for (const char* p : parts) (void)!write(2, p, strlen(p));
  _exit(kExitTemporary);
}

void Scanner::Scan() {
  DIR* dir = opendir(".");
  if (dir == nullptr) {
    Warn(std::string("unable to list ") + options_.dir + ": " + strerror(errno));
    return;
  }
  for (ServiceEntry& s : services_) s.present = false;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string name = e->d_name;
    if (!IsDirectory(name)) continue;
    ServiceEntry* found = nullptr;
    for (ServiceEntry& s : services_) {
      if (s.name == name && !s.main_told) found = &s;
    }
    if (found != nullptr) {
      found->present = true;
      continue;
    }
    if (services_.size() >= static_cast<size_t>(kMaxServices)) {
      Warn("too many services; ignoring " + name);
      continue;
    }
    ServiceEntry s;
    s.name = name;
    s.has_log = IsDirectory(name + "/log");
    if (s.has_log) {
      int p[2];
      if (pipe2(p, O_CLOEXEC) < 0) {
        Warn("unable to create a pipe for " + name + ": " + strerror(errno));
        continue;
      }
      s.pipe_read.reset(p[0]);
      s.pipe_write.reset(p[1]);
    }
    services_.push_back(std::move(s));
  }
  closedir(dir);
  if (shutting_down_) return;
  for (ServiceEntry& s : services_) {
    if (!s.present || s.main_told) continue;
    if (s.has_log && s.log_pid == 0) {
      s.log_pid = StartSupervise(s.name + "/log", s.pipe_read.get(), -1);
    }
    if (s.main_pid == 0) {
      s.main_pid = StartSupervise(s.name, -1, s.pipe_write.get());
    }
  }
}

// Moves removed services (and, during shutdown, all of them) towards their
// end: main supervise first; the logger once its pipe has no writer left.
void Scanner::Advance() {
  int64_t now = MonotonicMs();
  for (ServiceEntry& s : services_) {
    bool ending = shutting_down_ || !s.present;
    if (!ending) continue;
    if (s.main_pid > 0 && !s.main_told) {
      kill(s.main_pid, SIGTERM);
    }
    s.main_told = true;
    if (s.main_pid != 0) continue;
    s.pipe_write.reset();
    if (s.log_pid > 0 && !s.log_told) {
      kill(s.log_pid, SIGHUP);
      s.log_told = true;
      s.log_told_ms = now;
    }
    if (s.log_pid > 0 && s.log_told && !s.log_forced &&
        now - s.log_told_ms >= kShutdownLogGraceMs) {
      kill(s.log_pid, SIGTERM);
      s.log_forced = true;
    }
  }
  for (size_t i = 0; i < services_.size();) {
    ServiceEntry& s = services_[i];
    if (s.main_told && s.main_pid == 0 && s.log_pid == 0) {
      services_.erase(services_.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
}

void Scanner::Reap() {
  for (;;) {
    int wstat = 0;
    pid_t pid = waitpid(-1, &wstat, WNOHANG);
    if (pid <= 0) return;
    for (ServiceEntry& s : services_) {
      if (s.main_pid == pid) s.main_pid = 0;
      if (s.log_pid == pid) s.log_pid = 0;
    }
  }
}

void Scanner::BeginShutdown() {
  shutting_down_ = true;
  next_scan_ms_ = -1;
}

bool Scanner::AllGone() const { return services_.empty(); }

int Scanner::Run() {
  if (chdir(options_.dir.c_str()) < 0) {
    FatalErrno("unable to chdir to " + options_.dir);
  }
  Status st = self_pipe_.Install({SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGALRM});
  if (!st.ok()) Fatal(kExitTemporary, st.message());
  Scan();
  if (options_.rescan_seconds > 0) {
    next_scan_ms_ = MonotonicMs() + options_.rescan_seconds * 1000LL;
  }
  for (;;) {
    Advance();
    if (shutting_down_ && AllGone()) return kExitOk;
    int64_t deadline = next_scan_ms_;
    if (shutting_down_) {
      // Wake for the loggers' grace period only while one is pending.
      for (const ServiceEntry& s : services_) {
        if (s.log_told && !s.log_forced) {
          int64_t d = s.log_told_ms + kShutdownLogGraceMs;
          if (deadline < 0 || d < deadline) deadline = d;
        }
      }
    }
    int timeout = -1;
    if (deadline >= 0) {
      int64_t left = deadline - MonotonicMs();
      timeout = left < 0 ? 0 : static_cast<int>(left);
    }
    struct pollfd pfd = {self_pipe_.fd(), POLLIN, 0};
    int r = poll(&pfd, 1, timeout);
    if (r < 0 && errno != EINTR) FatalErrno("poll");
    bool scan_now = false;
    if (r > 0) {
      while (int sig = self_pipe_.Next()) {
        switch (sig) {
          case SIGCHLD: Reap(); break;
          case SIGTERM:
          case SIGINT: BeginShutdown(); break;
          case SIGHUP:
          case SIGALRM: scan_now = true; break;
          default: break;
        }
      }
    }
    if (!shutting_down_ && next_scan_ms_ >= 0 && MonotonicMs() >= next_scan_ms_) {
      scan_now = true;
    }
    if (scan_now && !shutting_down_) {
      Scan();
      if (options_.rescan_seconds > 0) {
        next_scan_ms_ = MonotonicMs() + options_.rescan_seconds * 1000LL;
      }
    }
  }
}

}  // namespace

std::string FindSuperviseBinary() {
  const char* env = getenv("YUBIN_SUPERVISE");
  if (env != nullptr && env[0] != '\0') return env;
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  if (slash == std::string::npos) return "";
  return exe.substr(0, slash + 1) + "supervise";
}

int RunSvscan(const SvscanOptions& options) {
  std::string supervise = FindSuperviseBinary();
  if (supervise.empty()) {
    Fatal(kExitTemporary, "unable to find the supervise program");
  }
  if (supervise[0] != '/' && supervise.find('/') != std::string::npos) {
    // Relative to where svscan was started, not to the scanned directory.
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) != nullptr) supervise = std::string(cwd) + "/" + supervise;
  }
  Scanner scanner(options, supervise);
  return scanner.Run();
}

}  // namespace yubin::supervise
