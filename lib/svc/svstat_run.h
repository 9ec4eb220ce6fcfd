// svstat_run.h: svstat and svok, the read-only status clients.
//
//   int code = RunSvstat(SvstatMode::kLines, {"/service/smtpd"}, stdout_fd);
//   int ok = RunSvok("/service/smtpd");   // 0 running, 100 not, 111 error
//
// svstat prints one line (or JSON object) per directory and exits 0, or 111
// when some directory could not be examined (its line then reads
// "DIR: unable to ...: reason"). In check mode it prints the lines of the
// services that are not healthy and exits 0 when all are (up, and ready
// where notification-fd exists), 1 otherwise, 111 on a system error.
#ifndef YUBIN_LIB_SVC_SVSTAT_RUN_H_
#define YUBIN_LIB_SVC_SVSTAT_RUN_H_

#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/svc/status_format.h"

namespace yubin::svc {

enum class SvstatMode { kLines, kJson, kCheck };

inline constexpr int kExitUnhealthy = 1;

// Gathers what svstat shows about one directory.
Result<ServiceView> ExamineService(const std::string& dir);

int RunSvstat(SvstatMode mode, const std::vector<std::string>& dirs, int out_fd);
int RunSvok(const std::string& dir);

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_SVSTAT_RUN_H_
