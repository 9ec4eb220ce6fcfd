#include "lib/ctl/yubinctl.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/ctl/doctor.h"
#include "lib/ctl/queue_summary.h"
#include "lib/ctl/service_health.h"

namespace yubin::ctl {

const char kYubinctlHelp[] =
    "usage: yubinctl [--root ROOT] COMMAND\n"
    "  start [-t SECONDS]\n"
    "                   start the service tree (svscan ROOT/service, detached,\n"
    "                   or the systemd unit yubin.service when installed), wait\n"
    "                   until every service is ready (at most SECONDS, default\n"
    "                   30), print the status\n"
    "  stop             stop every service gracefully, then svscan\n"
    "  restart          stop, then start\n"
    "  status           one line per service and log; exit 0 healthy, 1 not\n"
    "  logs [SERVICE] [-f] [-n N]\n"
    "                   the last N (20) log lines with local times, of one\n"
    "                   service or all in ROOT/log; -f keeps following\n"
    "  reload           re-read control files (SIGHUP to send, smtpd, local and remote)\n"
    "  queue            messages queued, by area, and the oldest\n"
    "  doctor           check control files, DNS, relay rules, permissions\n"
    "                   and services; say what to fix; exit 1 on problems\n"
    "ROOT: --root, else $YUBIN_ROOT, else /var/yubin.\n"
    "Exit codes: 0 ok; 1 not healthy / problems found; 100 usage;\n"
    "111 system error.\n";

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

void Say(const std::string& text) { std::fputs(text.c_str(), stdout); std::fflush(stdout); }
void Complain(const std::string& text) {
  std::fputs(("yubinctl: " + text + "\n").c_str(), stderr);
}

std::string ProgramPath(const CtlOptions& o, const std::string& name) {
  std::string local = o.bindir + "/" + name;
  if (access(local.c_str(), X_OK) == 0) return local;
  return name;
}

// Runs argv (found in $PATH) and waits; returns its exit code, 111 if it
// could not run or was killed.
int RunAndWait(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid < 0) return 111;
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "yubinctl: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(111);
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return 111;
  }
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 111;
}

std::string ServiceDir(const CtlOptions& o) { return o.root + "/service"; }

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

// The unit is ours when it runs svscan on this root's service directory.
bool UseSystemd(const CtlOptions& o) {
  struct stat st;
  if (stat("/run/systemd/system", &st) != 0) return false;
  std::string unit;
  if (!ReadWholeFile(o.etc + "/systemd/system/yubin.service", &unit)) return false;
  return unit.find("/svscan " + ServiceDir(o) + "\n") != std::string::npos;
}

// svscan's pid from the pid file, when that process still is svscan.
pid_t LiveSvscan(const CtlOptions& o) {
  std::string text;
  if (!ReadWholeFile(SvscanPidFile(o.root), &text)) return 0;
  long pid = std::strtol(text.c_str(), nullptr, 10);
  if (pid <= 0 || pid > INT_MAX) return 0;
  char exe[PATH_MAX];
  std::string link = "/proc/" + std::to_string(pid) + "/exe";
  ssize_t n = readlink(link.c_str(), exe, sizeof exe - 1);
  if (n <= 0) return 0;
  std::string path(exe, static_cast<size_t>(n));
  std::string base = path.substr(path.rfind('/') + 1);
  if (base.rfind("svscan", 0) != 0 && base.rfind("s6-svscan", 0) != 0) return 0;
  return static_cast<pid_t>(pid);
}

bool AnySupervised(const CtlOptions& o) {
  for (const ServiceRow& r : ReadTree(ServiceDir(o), time(nullptr))) {
    if (r.supervised) return true;
  }
  return false;
}

bool WaitHealthy(const CtlOptions& o, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (AllHealthy(ReadTree(ServiceDir(o), time(nullptr)))) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

// Waits for a process that is not our child to end.
bool WaitGone(pid_t pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    UniqueFd fd(pidfd);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      struct pollfd p = {fd.get(), POLLIN, 0};
      int r = poll(&p, 1, static_cast<int>(left.count()));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) break;
    }
  }
  while (kill(pid, 0) == 0 || errno != ESRCH) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

int ShowStatus(const CtlOptions& o) {
  std::vector<ServiceRow> rows = ReadTree(ServiceDir(o), time(nullptr));
  if (rows.empty()) {
    Complain("no services in " + ServiceDir(o) + " (install with tools/install --root)");
    return kExitUnhealthy;
  }
  Say(FormatStatusTable(rows));
  return AllHealthy(rows) ? 0 : kExitUnhealthy;
}

int Start(const CtlOptions& o, const std::vector<std::string>& args) {
  std::chrono::seconds wait = kStartWait;
  for (size_t i = 1; i < args.size(); ++i) {
    char* end = nullptr;
    long n = i + 1 < args.size() ? std::strtol(args[i + 1].c_str(), &end, 10) : -1;
    if (args[i] != "-t" || n < 0 || n > 3600 || end == nullptr || *end != '\0') {
      std::fputs(kYubinctlHelp, stderr);
      return 100;
    }
    wait = std::chrono::seconds(n);
    ++i;
  }
  std::string service = ServiceDir(o);
  struct stat st;
  if (stat(service.c_str(), &st) != 0) {
    Complain(service + " does not exist (install with tools/install --root " + o.root + ")");
    return 111;
  }
  if (UseSystemd(o)) {
    Say("starting yubin.service (systemd)\n");
    int rc = RunAndWait({"systemctl", "start", "yubin"});
    if (rc != 0) return 111;
  } else if (pid_t running = LiveSvscan(o); running != 0) {
    Say("already running (svscan pid " + std::to_string(running) + ")\n");
  } else if (AnySupervised(o)) {
    Say("already running under a supervisor yubinctl did not start\n");
  } else {
    std::string svscan = ProgramPath(o, "svscan");
    std::string log = o.root + "/log/svscan.log";
    std::string path = o.bindir + ":" + (getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    pid_t pid = fork();
    if (pid < 0) {
      Complain(std::string("fork: ") + std::strerror(errno));
      return 111;
    }
    if (pid == 0) {
      setsid();
      int in = open("/dev/null", O_RDONLY);
      int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out < 0) out = open("/dev/null", O_WRONLY);
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      if (in > 2) close(in);
      if (out > 2) close(out);
      setenv("YUBIN_ROOT", o.root.c_str(), 1);
      setenv("PATH", path.c_str(), 1);
      execlp(svscan.c_str(), svscan.c_str(), service.c_str(), static_cast<char*>(nullptr));
      std::fprintf(stderr, "yubinctl: cannot run %s: %s\n", svscan.c_str(), std::strerror(errno));
      _exit(111);
    }
    if (yubin::Status s = WriteFileAtomically(SvscanPidFile(o.root), std::to_string(pid) + "\n", 0644);
        !s.ok()) {
      Complain(s.message());
    }
    Say("started svscan " + service + " (pid " + std::to_string(pid) + ")\n");
  }
  bool healthy = WaitHealthy(o, wait);
  ShowStatus(o);
  if (!healthy) {
    Complain("not every service became ready within " + std::to_string(wait.count()) +
             " s; see yubinctl logs");
    return kExitUnhealthy;
  }
  return 0;
}

int Stop(const CtlOptions& o) {
  if (UseSystemd(o)) {
    Say("stopping yubin.service (systemd)\n");
    return RunAndWait({"systemctl", "stop", "yubin"}) == 0 ? 0 : 111;
  }
  pid_t pid = LiveSvscan(o);
  if (pid == 0) {
    unlink(SvscanPidFile(o.root).c_str());
    if (AnySupervised(o)) {
      Complain("the tree runs under a supervisor yubinctl did not start; stop that one");
      return 111;
    }
    Say("not running\n");
    return 0;
  }
  Say("stopping (svscan pid " + std::to_string(pid) +
      "): services get SIGTERM, deliveries in flight finish or are deferred\n");
  if (kill(pid, SIGTERM) != 0 && errno != ESRCH) {
    Complain(std::string("kill svscan: ") + std::strerror(errno));
    return 111;
  }
  if (!WaitGone(pid, kStopWait)) {
    Complain("svscan still running after " + std::to_string(kStopWait.count()) + " s");
    return 111;
  }
  unlink(SvscanPidFile(o.root).c_str());
  Say("stopped\n");
  return 0;
}

int Reload(const CtlOptions& o) {
  int rc = 0;
  for (const char* name : {"send", "smtpd", "local", "remote"}) {
    std::string control = ServiceDir(o) + "/" + name + "/supervise/control";
    int fd = open(control.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      Complain(std::string(name) + ": not supervised (" + std::strerror(errno) + ")");
      rc = 111;
      continue;
    }
    if (write(fd, "h", 1) != 1) rc = 111;
    close(fd);
    Say(std::string(name) + ": sent SIGHUP\n");
  }
  return rc;
}

int Queue(const CtlOptions& o) {
  Result<QueueSummary> q = SummarizeQueue(o.root, time(nullptr));
  if (!q.ok()) {
    Complain(q.status().message());
    return 111;
  }
  Say(FormatQueueSummary(*q));
  return 0;
}

int Doctor(const CtlOptions& o) {
  std::vector<Finding> f = RunDoctor(o.root);
  Say(FormatFindings(f));
  return CountProblems(f) == 0 ? 0 : kExitUnhealthy;
}

// Runs one logtail per log directory and copies their lines to stdout, each
// prefixed by the service name, until all have ended.
int Logs(const CtlOptions& o, const std::vector<std::string>& args) {
  std::vector<std::string> services;
  bool follow = false;
  std::string lines = std::to_string(kDefaultLogLines);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "-f") {
      follow = true;
    } else if (args[i] == "-n" && i + 1 < args.size()) {
      lines = args[++i];
    } else if (!args[i].empty() && args[i][0] != '-') {
      services.push_back(args[i]);
    } else {
      std::fputs(kYubinctlHelp, stderr);
      return 100;
    }
  }
  if (services.empty()) {
    for (const std::string& name : ListServices(ServiceDir(o))) {
      struct stat st;
      if (name.find('/') == std::string::npos &&
          stat((o.root + "/log/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        services.push_back(name);
      }
    }
  }
  if (services.empty()) {
    Complain("no log directories in " + o.root + "/log");
    return 111;
  }
  std::string logtail = ProgramPath(o, "logtail");
  auto argv_for = [&](const std::string& name) {
    std::vector<std::string> a = {logtail, "-l", "-n", lines};
    if (follow) a.push_back("-f");
    a.push_back(o.root + "/log/" + name);
    return a;
  };
  if (services.size() == 1) {
    std::vector<std::string> a = argv_for(services[0]);
    std::vector<char*> args_c;
    for (std::string& s : a) args_c.push_back(s.data());
    args_c.push_back(nullptr);
    std::fflush(stdout);
    execvp(args_c[0], args_c.data());
    Complain("cannot run " + logtail + ": " + std::strerror(errno));
    return 111;
  }
  struct Source {
    std::string name;
    pid_t pid;
    int fd;
    std::string partial;
  };
  std::vector<Source> sources;
  for (const std::string& name : services) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return 111;
    pid_t pid = fork();
    if (pid < 0) return 111;
    if (pid == 0) {
      dup2(p[1], 1);
      std::vector<std::string> a = argv_for(name);
      std::vector<char*> args_c;
      for (std::string& s : a) args_c.push_back(s.data());
      args_c.push_back(nullptr);
      execvp(args_c[0], args_c.data());
      _exit(111);
    }
    close(p[1]);
    sources.push_back({name, pid, p[0], ""});
  }
  int rc = 0;
  size_t open_count = sources.size();
  while (open_count > 0) {
    std::vector<pollfd> fds;
    for (Source& s : sources) fds.push_back({s.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return 111;
    }
    for (size_t i = 0; i < sources.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(sources[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(sources[i].fd);
        sources[i].fd = -1;
        --open_count;
        continue;
      }
      sources[i].partial.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = sources[i].partial.find('\n')) != std::string::npos) {
        Say(sources[i].name + ": " + sources[i].partial.substr(0, nl + 1));
        sources[i].partial.erase(0, nl + 1);
      }
    }
  }
  for (Source& s : sources) {
    int wstatus = 0;
    waitpid(s.pid, &wstatus, 0);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) rc = 111;
  }
  return rc;
}

}  // namespace

std::string SvscanPidFile(const std::string& root) { return root + "/service/.svscan.pid"; }

int RunYubinctl(const CtlOptions& o, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kYubinctlHelp, stderr);
    return 100;
  }
  const std::string& cmd = args[0];
  bool no_args = args.size() == 1;
  if (cmd == "logs") return Logs(o, args);
  if (cmd == "start") return Start(o, args);
  if (!no_args) {
    std::fputs(kYubinctlHelp, stderr);
    return 100;
  }
  if (cmd == "stop") return Stop(o);
  if (cmd == "restart") {
    int rc = Stop(o);
    return rc != 0 ? rc : Start(o, {"start"});
  }
  if (cmd == "status") return ShowStatus(o);
  if (cmd == "reload") return Reload(o);
  if (cmd == "queue") return Queue(o);
  if (cmd == "doctor") return Doctor(o);
  std::fputs(kYubinctlHelp, stderr);
  return 100;
}

}  // namespace yubin::ctl
