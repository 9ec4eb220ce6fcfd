#include "lib/svc/svc_run.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/svc/event_fifo.h"
#include "lib/svc/wait_condition.h"
#include "supervise/status_record.h"

namespace yubin::svc {
namespace {

using Clock = std::chrono::steady_clock;

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

struct Target {
  std::string dir;
  WaitFor wait = WaitFor::kNone;
  std::optional<EventFifo> events;
  std::optional<WaitCondition> condition;
  bool active = false;  // subscribed and still waiting
};

// Writes the letters to DIR/supervise/control; returns 0 or an exit code.
int SendCommands(const std::string& dir, const std::string& letters) {
  std::string path = dir + "/supervise/control";
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENXIO || (err == ENOENT && IsDirectory(dir))) {
      Warn("unable to control " + dir + ": supervise not running");
      return kExitNotSupervised;
    }
    Warn("unable to control " + dir + ": " + std::strerror(err));
    return kExitTemporary;
  }
  if (letters.empty()) return 0;
  ssize_t n = WriteRetry(fd.get(), letters.data(), letters.size());
  if (n != static_cast<ssize_t>(letters.size())) {
    Warn("unable to control " + dir + ": " +
         (n < 0 ? std::strerror(errno) : "short write to supervise/control"));
    return kExitTemporary;
  }
  return 0;
}

}  // namespace

int RunSvc(const SvcRequest& request) {
  std::vector<Target> targets;
  for (const std::string& dir : request.dirs) {
    Target t{.dir = dir, .wait = request.wait};
    if (t.wait == WaitFor::kReady || t.wait == WaitFor::kRestartReady) {
      if (!Exists(dir + "/notification-fd")) {
        Warn(dir + "/notification-fd not present: not waiting for readiness");
        t.wait = t.wait == WaitFor::kReady ? WaitFor::kUp : WaitFor::kRestart;
      }
    }
    if (t.wait != WaitFor::kNone && !IsDirectory(dir + "/event")) {
      Fatal(kExitPermanent,
            "unable to wait for " + dir + ": no event/ directory (its "
            "supervisor does not report events, as daemontools supervise "
            "does not)");
    }
    targets.push_back(std::move(t));
  }

  int exit_code = 0;
  // Subscribe before sending anything, so no event is missed.
  for (Target& t : targets) {
    if (t.wait == WaitFor::kNone) continue;
    Result<EventFifo> sub = EventFifo::Subscribe(t.dir);
    if (!sub.ok()) {
      Warn(sub.status().message());
      exit_code = kExitTemporary;
      continue;
    }
    t.events.emplace(std::move(*sub));
    t.condition.emplace(t.wait);
    Result<supervise::ServiceStatus> st = supervise::ReadServiceStatus(t.dir);
    t.active = !(st.ok() && t.condition->Start(*st));
  }

  for (Target& t : targets) {
    int rc = SendCommands(t.dir, request.commands);
    if (rc != 0) {
      exit_code = rc;
      t.active = false;
    }
  }

  const bool limited = request.timeout.count() > 0;
  const Clock::time_point deadline = Clock::now() + request.timeout;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Target*> owners;
    for (Target& t : targets) {
      if (!t.active) continue;
      fds.push_back({.fd = t.events->fd(), .events = POLLIN, .revents = 0});
      owners.push_back(&t);
    }
    if (fds.empty()) break;
    int wait_ms = -1;
    if (limited) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        for (Target* t : owners) {
          Warn(std::string("timed out waiting for ") + t->dir + " (-w" +
               WaitLetter(t->wait) + ")");
        }
        return kExitTimedOut;
      }
      wait_ms = static_cast<int>(left.count());
    }
    int n = poll(fds.data(), fds.size(), wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      Warn(std::string("poll: ") + std::strerror(errno));
      return kExitTemporary;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Target& t = *owners[i];
      Result<std::string> events = t.events->ReadEvents();
      if (!events.ok()) {
        Warn(events.status().message());
        exit_code = kExitTemporary;
        t.active = false;
        continue;
      }
      for (char e : *events) {
        if (t.condition->OnEvent(e)) break;
      }
      if (t.condition->satisfied()) {
        t.active = false;
      } else if (t.condition->supervisor_gone()) {
        Warn("supervise exited while waiting for " + t.dir);
        exit_code = kExitNotSupervised;
        t.active = false;
      }
    }
  }
  return exit_code;
}

}  // namespace yubin::svc
