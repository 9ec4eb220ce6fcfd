#include "tests/supervision_helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace yubin::testing {

std::string SupervisePath() { return RunfilePath("supervise/supervise"); }
std::string SvscanPath() { return RunfilePath("supervise/svscan"); }

void WriteExecutable(const std::string& path, std::string_view script) {
  WriteFileOrDie(path, script, 0755);
}

std::string MakeService(const std::string& root, const std::string& name,
                        std::string_view run_script) {
  std::string dir = root + "/" + name;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) std::abort();
  WriteExecutable(dir + "/run", run_script);
  return dir;
}

bool StartSupervise(ChildProcess& child, const std::string& service_dir,
                    const std::string& err_file) {
  return child.Start({SupervisePath(), service_dir}, {}, "", err_file);
}

bool SendControl(const std::string& service_dir, std::string_view letters) {
  std::string path = service_dir + "/supervise/control";
  int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = write(fd, letters.data(), letters.size());
  close(fd);
  return n == static_cast<ssize_t>(letters.size());
}

std::optional<ServiceStatus> ReadStatus(const std::string& service_dir) {
  Result<ServiceStatus> r = supervise::ReadServiceStatus(service_dir);
  if (!r.ok()) return std::nullopt;
  return *r;
}

bool WaitForStatus(const std::string& service_dir,
                   const std::function<bool(const ServiceStatus&)>& pred,
                   std::chrono::milliseconds deadline) {
  return WaitUntil(
      [&] {
        std::optional<ServiceStatus> st = ReadStatus(service_dir);
        return st.has_value() && pred(*st);
      },
      deadline);
}

pid_t WaitForUp(const std::string& service_dir, pid_t not_pid) {
  pid_t got = 0;
  WaitForStatus(service_dir, [&](const ServiceStatus& s) {
    if (s.pid == 0 || s.finishing || static_cast<pid_t>(s.pid) == not_pid) {
      return false;
    }
    got = static_cast<pid_t>(s.pid);
    return true;
  });
  return got;
}

pid_t LockHolder(const std::string& service_dir) {
  std::string path = service_dir + "/supervise/lock";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  pid_t holder = 0;
  if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) holder = fl.l_pid;
  close(fd);
  return holder;
}

bool ProcessGone(pid_t pid) {
  if (pid <= 0) return true;
  if (kill(pid, 0) != 0) return errno == ESRCH;
  std::string stat = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] == 'Z';
}

bool WaitGone(pid_t pid, std::chrono::milliseconds deadline) {
  return WaitUntil([&] { return ProcessGone(pid); }, deadline);
}

void StopSupervise(ChildProcess& child, const std::string& service_dir) {
  std::optional<ServiceStatus> st = ReadStatus(service_dir);
  pid_t service = st ? static_cast<pid_t>(st->pid) : 0;
  if (child.running()) {
    SendControl(service_dir, "dx");
    if (child.Wait(kWait) == -1) child.SignalGroup(SIGKILL);
  }
  if (service > 0 && !ProcessGone(service)) kill(service, SIGKILL);
}

int CountLines(const std::string& path) {
  std::string s = ReadFileOrEmpty(path);
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace yubin::testing

namespace yubin::testing {

bool ProcessCatches(pid_t pid, int sig) {
  // Between fork and exec the child is still a supervise image with
  // supervise's handlers: that is not the service catching anything.
  char exe[4096];
  std::string link = "/proc/" + std::to_string(pid) + "/exe";
  ssize_t n = readlink(link.c_str(), exe, sizeof exe - 1);
  if (n <= 0) return false;
  std::string path(exe, static_cast<size_t>(n));
  std::string base = path.substr(path.rfind('/') + 1);
  if (base == "supervise" || base == "svscan") return false;
  std::string st = ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/status");
  size_t at = st.find("SigCgt:\t");
  if (at == std::string::npos) return false;
  unsigned long long mask = std::strtoull(st.c_str() + at + 8, nullptr, 16);
  return (mask >> (sig - 1)) & 1;
}

}  // namespace yubin::testing
