#include "lib/qtools/commands.h"

#include <limits.h>
#include <unistd.h>

#include <cstdlib>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/qtools/control_report.h"
#include "lib/qtools/queue_report.h"
#include "lib/queue/layout.h"

namespace yubin::qtools {

std::string PlainHostName() {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "localhost";
  return host;
}

int RunQstat(const std::string& root, int out_fd) {
  Result<QueueCounts> counts = CountQueue(queue::QueueDir(root));
  if (!counts.ok()) return ExitWith(counts.status());
  return ExitWith(WriteAll(out_fd, FormatQueueCounts(*counts)));
}

int RunQread(const std::string& root, int out_fd) {
  Result<QueueListing> listing = ReadQueue(queue::QueueDir(root));
  if (!listing.ok()) return ExitWith(listing.status());
  for (const std::string& w : listing->warnings) Warn(w);
  Status written = WriteAll(out_fd, FormatQueueListing(*listing));
  if (!written.ok()) return ExitWith(written);
  return listing->warnings.empty() ? kExitOk : kExitTemporary;
}

int RunShowctl(const std::string& root, bool json, int out_fd) {
  ControlReport report =
      ReportControl(root + "/control", [](const char* name) -> const char* { return std::getenv(name); }, PlainHostName());
  if (!report.directory_problem.empty()) Warn(report.directory_problem);
  for (const SettingReport& s : report.settings) {
    if (!s.problem.empty()) Warn(s.problem);
  }
  Status written = WriteAll(
      out_fd, json ? FormatControlJson(report) : FormatControlText(report));
  if (!written.ok()) return ExitWith(written);
  return report.HasProblems() ? kExitTemporary : kExitOk;
}

}  // namespace yubin::qtools
