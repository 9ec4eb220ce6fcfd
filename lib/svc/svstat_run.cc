#include "lib/svc/svstat_run.h"

#include <sys/stat.h>

#include <ctime>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/svc/supervisor_probe.h"
#include "supervise/status_record.h"

namespace yubin::svc {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<ServiceView> ExamineService(const std::string& dir) {
  Result<bool> running = SupervisorRunning(dir);
  if (!running.ok()) return running.status();
  ServiceView view;
  view.normally_up = !Exists(dir + "/down");
  view.notification_fd = Exists(dir + "/notification-fd");
  if (!*running) return view;
  Result<supervise::ServiceStatus> st = supervise::ReadServiceStatus(dir);
  if (!st.ok()) {
    return st.status().Wrap("unable to read status");
  }
  view.supervised = true;
  view.status = *st;
  return view;
}

int RunSvstat(SvstatMode mode, const std::vector<std::string>& dirs, int out_fd) {
  int exit_code = 0;
  bool all_healthy = true;
  std::string out;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const std::string& dir : dirs) {
    Result<ServiceView> view = ExamineService(dir);
    if (!view.ok()) {
      exit_code = kExitTemporary;
      all_healthy = false;
      if (mode == SvstatMode::kJson) {
        out += "{\"dir\":" + JsonString(dir) +
               ",\"error\":" + JsonString(view.status().message()) + "}\n";
      } else {
        out += dir + ": " + view.status().message() + "\n";
      }
      continue;
    }
    switch (mode) {
      case SvstatMode::kLines:
        out += FormatStatusLine(dir, *view, now) + "\n";
        break;
      case SvstatMode::kJson:
        out += FormatStatusJson(dir, *view, now) + "\n";
        break;
      case SvstatMode::kCheck:
        if (!ServiceHealthy(*view)) {
          all_healthy = false;
          out += FormatStatusLine(dir, *view, now) + "\n";
        }
        break;
    }
  }
  if (!WriteAll(out_fd, out).ok()) return kExitTemporary;
  if (exit_code != 0) return exit_code;
  if (mode == SvstatMode::kCheck && !all_healthy) return kExitUnhealthy;
  return 0;
}

int RunSvok(const std::string& dir) {
  Result<bool> running = SupervisorRunning(dir);
  if (!running.ok()) return ExitWith(running.status());
  return *running ? 0 : kExitPermanent;
}

}  // namespace yubin::svc
