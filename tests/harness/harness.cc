#include "tests/harness/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace yubin::testing {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Called in the child after fork: own process group, environment, cwd.
[[noreturn]] void ExecChild(const std::vector<std::string>& argv,
                            const RunOptions& options) {
  setpgid(0, 0);
  signal(SIGPIPE, SIG_DFL);
  for (const std::string& kv : options.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      unsetenv(kv.c_str());
    } else {
      setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
    }
  }
  if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(126);
  std::vector<char*> args = CStrings(argv);
  execvp(args[0], args.data());
  _exit(127);
}

void RecordStatus(int wstatus, ProcessResult* r) {
  if (WIFEXITED(wstatus)) r->exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) r->term_signal = WTERMSIG(wstatus);
}

}  // namespace

std::string RunfilePath(std::string_view workspace_path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string base = srcdir ? srcdir : ".";
  base += "/";
  base += workspace ? workspace : "yubin";
  base += "/";
  base += workspace_path;
  return base;
}

std::string MakeTempDir(std::string_view prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/" +
                      std::string(prefix) + ".XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) std::abort();
  return templ;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileOrDie(const std::string& path, std::string_view content,
                    int mode) {
  std::string tmp = path + ".harness-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) std::abort();
  }
  if (chmod(tmp.c_str(), static_cast<mode_t>(mode)) != 0) std::abort();
  if (rename(tmp.c_str(), path.c_str()) != 0) std::abort();
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const RunOptions& options) {
  ProcessResult result;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    std::abort();
  }
  pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    ExecChild(argv, options);
  }
  setpgid(pid, pid);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  signal(SIGPIPE, SIG_IGN);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (options.input.empty()) {
    close(in[1]);
    in[1] = -1;
  }
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  int open_outputs = 2;
  while (open_outputs > 0 || in[1] >= 0) {
    struct pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0},
                            {in[1], POLLOUT, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
    int n = poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        continue;
      }
      char buf[65536];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buf, got);
      } else if (got == 0 || errno != EINTR) {
        close(fds[i].fd);
        (i == 0 ? out[0] : err[0]) = -1;
        --open_outputs;
      }
    }
    if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(in[1], options.input.data() + written,
                        options.input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
          written == options.input.size()) {
        close(in[1]);
        in[1] = -1;
      }
    }
  }
  for (int fd : {in[1], out[0], err[0]}) {
    if (fd >= 0) close(fd);
  }
  int wstatus = 0;
  // The outputs are closed; the child is gone or about to go.
  auto reap_deadline = std::chrono::steady_clock::now() + options.timeout;
  for (;;) {
    pid_t r = waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > reap_deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      reap_deadline = std::chrono::steady_clock::now() + 10s;
    }
    std::this_thread::sleep_for(2ms);
  }
  RecordStatus(wstatus, &result);
  return result;
}

ProcessResult RunShell(const std::string& script, const RunOptions& options) {
  return RunProcess({"/bin/sh", "-c", script}, options);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    Wait(10s);
  }
}

bool ChildProcess::Start(const std::vector<std::string>& argv,
                         const RunOptions& options,
                         const std::string& out_file,
                         const std::string& err_file) {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int null_in = open("/dev/null", O_RDONLY);
    dup2(null_in, 0);
    int o = open(out_file.empty() ? "/dev/null" : out_file.c_str(),
                 O_WRONLY | O_CREAT | O_APPEND, 0644);
    int e = open(err_file.empty() ? "/dev/null" : err_file.c_str(),
                 O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(o, 1);
    dup2(e, 2);
    ExecChild(argv, options);
  }
  setpgid(pid, pid);
  pid_ = pid;
  reaped_ = false;
  return true;
}

bool ChildProcess::running() {
  if (pid_ <= 0 || reaped_) return false;
  pid_t r = waitpid(pid_, &wstatus_, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    return false;
  }
  return true;
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && !reaped_) kill(pid_, sig);
}

void ChildProcess::SignalGroup(int sig) {
  if (pid_ > 0 && !reaped_) kill(-pid_, sig);
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (reaped_) return wstatus_;
  bool done = WaitUntil([this] { return !running(); }, timeout);
  return done ? wstatus_ : -1;
}

bool WaitUntil(const std::function<bool()>& pred,
               std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(5ms);
  }
}

int PickFreePort(const char* ip) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in sa {};
  sa.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &sa.sin_addr);
  sa.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

bool HaveRealRoot() {
  if (geteuid() != 0) return false;
  // In a user namespace, root cannot chown a file to an unmapped uid.
  std::string dir = MakeTempDir("rootcheck");
  std::string f = dir + "/f";
  WriteFileOrDie(f, "");
  bool ok = chown(f.c_str(), 12345, 12345) == 0;
  unlink(f.c_str());
  rmdir(dir.c_str());
  return ok;
}

}  // namespace yubin::testing
