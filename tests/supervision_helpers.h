// supervision_helpers.h: what the supervise and svscan integration tests share.
//
//   std::string svc = MakeService(root, "web", "#!/bin/sh\nexec sleep 100\n");
//   ChildProcess sup;  ASSERT_TRUE(StartSupervise(sup, svc));
//   ASSERT_TRUE(WaitForStatus(svc, [](const ServiceStatus& s) { return s.pid; }));
//   SendControl(svc, "d");
//   StopSupervise(sup, svc);   // "dx", wait, and kill whatever is left
//
// Every wait has a deadline (kWait); nothing sleeps to synchronise.
#ifndef YUBIN_TESTS_SUPERVISION_HELPERS_H_
#define YUBIN_TESTS_SUPERVISION_HELPERS_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "supervise/status_record.h"
#include "tests/harness/harness.h"

namespace yubin::testing {

using supervise::ServiceStatus;

inline constexpr std::chrono::milliseconds kWait = 10s;

std::string SupervisePath();
std::string SvscanPath();

// Creates root/name with an executable run script; returns its path.
std::string MakeService(const std::string& root, const std::string& name,
                        std::string_view run_script);
void WriteExecutable(const std::string& path, std::string_view script);

bool StartSupervise(ChildProcess& child, const std::string& service_dir,
                    const std::string& err_file = "");
// Writes letters to service_dir/supervise/control; false when nobody listens.
bool SendControl(const std::string& service_dir, std::string_view letters);
std::optional<ServiceStatus> ReadStatus(const std::string& service_dir);
bool WaitForStatus(const std::string& service_dir,
                   const std::function<bool(const ServiceStatus&)>& pred,
                   std::chrono::milliseconds deadline = kWait);
// Waits until the service runs with a pid other than not_pid; returns it or 0.
pid_t WaitForUp(const std::string& service_dir, pid_t not_pid = 0);
// The pid holding service_dir/supervise/lock (POSIX lock), or 0.
pid_t LockHolder(const std::string& service_dir);
// True when pid is gone (or a zombie nobody has reaped yet).
bool ProcessGone(pid_t pid);
bool WaitGone(pid_t pid, std::chrono::milliseconds deadline = kWait);
// "dx" to the supervisor, wait for it; kill the service and it if they stay.
void StopSupervise(ChildProcess& child, const std::string& service_dir);
// True when pid has exec'd its program and has a handler for sig (from
// /proc/PID/status SigCgt).
bool ProcessCatches(pid_t pid, int sig);
int CountLines(const std::string& path);

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_SUPERVISION_HELPERS_H_
