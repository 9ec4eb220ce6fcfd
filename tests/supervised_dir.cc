#include "tests/supervised_dir.h"

#include <signal.h>
#include <unistd.h>

namespace yubin::testing {

SupervisedDir::SupervisedDir(Supervisor which, const std::string& run_body)
    : which_(which), dir_(MakeTempDir("sv")) {
  WriteFileOrDie(dir_ + "/run", "#!/bin/sh\n" + run_body, 0755);
}

SupervisedDir::~SupervisedDir() {
  if (!stopped_) Stop();
  // Whatever the supervisor left running (its child may sit in a session of
  // its own) is killed by the pid in the last status.
  Result<supervise::ServiceStatus> st = supervise::ReadServiceStatus(dir_);
  if (st.ok() && st->pid > 1) kill(static_cast<pid_t>(st->pid), SIGKILL);
}

bool SupervisedDir::Start() {
  const char* bin = which_ == Supervisor::kS6 ? kS6Supervise : kDaemontoolsSupervise;
  if (!supervisor_.Start({bin, dir_})) return false;
  return WaitUntil([&] { return supervise::ReadServiceStatus(dir_).ok(); }, 10s);
}

bool SupervisedDir::WaitFor(
    const std::function<bool(const supervise::ServiceStatus&)>& pred) {
  return WaitUntil(
      [&] {
        Result<supervise::ServiceStatus> st = supervise::ReadServiceStatus(dir_);
        return st.ok() && pred(*st);
      },
      10s);
}

supervise::ServiceStatus SupervisedDir::Status() {
  Result<supervise::ServiceStatus> st = supervise::ReadServiceStatus(dir_);
  return st.ok() ? *st : supervise::ServiceStatus{};
}

bool SupervisedDir::Stop() {
  stopped_ = true;
  if (!supervisor_.running()) return true;
  const char* svc = which_ == Supervisor::kS6 ? kS6Svc : kDaemontoolsSvc;
  RunProcess({svc, "-dx", dir_}, {.timeout = 10s});
  if (supervisor_.Wait(10s) != -1) return true;
  supervisor_.SignalGroup(SIGKILL);
  return false;
}

bool HaveS6() { return access(kS6Supervise, X_OK) == 0 && access(kS6Svc, X_OK) == 0; }
bool HaveDaemontools() {
  return access(kDaemontoolsSupervise, X_OK) == 0 && access(kDaemontoolsSvc, X_OK) == 0;
}

}  // namespace yubin::testing
