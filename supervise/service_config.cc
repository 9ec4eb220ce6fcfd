#include "supervise/service_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "lib/base/fd.h"

namespace yubin::supervise {
namespace {

struct SignalName {
  const char* name;
  int number;
};

constexpr SignalName kSignalNames[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT},
    {"ILL", SIGILL},   {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},
    {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
    {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"PWR", SIGPWR},     {"SYS", SIGSYS},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                        s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Reads a small file into buf without the heap; nullopt when it is missing,
// unreadable or longer than kMaxConfigFileBytes.
std::optional<std::string_view> ReadConfigFile(const char* name,
                                               char (&buf)[kMaxConfigFileBytes + 1]) {
  int fd = OpenRetry(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  ssize_t n = ReadFull(fd, buf, sizeof buf);
  CloseFd(fd);
  if (n < 0 || static_cast<size_t>(n) > kMaxConfigFileBytes) return std::nullopt;
  return std::string_view(buf, static_cast<size_t>(n));
}

}  // namespace

std::optional<int64_t> ParseConfigNumber(std::string_view text, int64_t max) {
  text = Trim(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

std::optional<int> ParseSignal(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  if (text[0] >= '0' && text[0] <= '9') {
    std::optional<int64_t> n = ParseConfigNumber(text, 64);
    if (!n || *n == 0) return std::nullopt;
    return static_cast<int>(*n);
  }
  if (text.substr(0, 3) == "SIG") text.remove_prefix(3);
  for (const SignalName& s : kSignalNames) {
    if (text == s.name) return s.number;
  }
  return std::nullopt;
}

ServiceConfig ReadServiceConfig() {
  ServiceConfig c;
  c.normally_down = access("down", F_OK) == 0;
  c.has_finish = access("finish", F_OK) == 0;
  char buf[kMaxConfigFileBytes + 1];
  if (auto t = ReadConfigFile("notification-fd", buf)) {
    auto n = ParseConfigNumber(*t, kMaxNotificationFd);
    if (n && *n >= 3) c.notification_fd = static_cast<int>(*n);
  }
  if (auto t = ReadConfigFile("timeout-kill", buf)) {
    if (auto n = ParseConfigNumber(*t, kMaxTimeoutMs)) c.timeout_kill_ms = *n;
  }
  if (auto t = ReadConfigFile("timeout-finish", buf)) {
    if (auto n = ParseConfigNumber(*t, kMaxTimeoutMs)) c.timeout_finish_ms = *n;
  }
  if (auto t = ReadConfigFile("max-death-tally", buf)) {
    if (auto n = ParseConfigNumber(*t, kMaxDeathTally)) {
      c.max_death_tally = static_cast<int>(*n);
    }
  }
  if (auto t = ReadConfigFile("down-signal", buf)) {
    if (auto s = ParseSignal(*t)) c.down_signal = *s;
  }
  return c;
}

}  // namespace yubin::supervise
