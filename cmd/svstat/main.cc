// svstat: prints the status of supervised services.
//
//   svstat /service/*            # daemontools-style lines
//   svstat -j /service/smtpd     # one JSON object per directory
//   svstat -c /service/* || alert   # health check
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/svc/svstat_run.h"

namespace {
constexpr char kHelp[] =
    "usage: svstat [-j | -c] dir...\n"
    "Prints one line per service directory, as daemontools' svstat does:\n"
    "  dir: up (pid N) S seconds[, normally down][, paused][, want down]\n"
    "  dir: down S seconds[, normally up][, want up]\n"
    "  dir: supervise not running\n"
    "For s6-layout status files (yubin's and s6's supervise) it adds\n"
    "', finishing' and ', ready S seconds' as s6-svstat does.\n"
    "  -j  one JSON object per directory instead: up, pid, seconds, paused,\n"
    "      want, normally_up, ready, ready_seconds, finishing, exit_code,\n"
    "      signal (null where the status layout does not record it)\n"
    "  -c  check: print only the lines of unhealthy services; exit 0 when\n"
    "      every service is up (and ready where it has notification-fd),\n"
    "      1 otherwise\n"
    "Exit codes: 0 ok; 1 (-c) some service is not healthy; 100 usage;\n"
    "111 some directory could not be examined.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::svc::SvstatMode mode = yubin::svc::SvstatMode::kLines;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    if (std::strcmp(argv[i], "-j") == 0) {
      mode = yubin::svc::SvstatMode::kJson;
    } else if (std::strcmp(argv[i], "-c") == 0) {
      mode = yubin::svc::SvstatMode::kCheck;
    } else {
      yubin::Usage(std::string("unknown flag ") + argv[i] + "\nsvstat [-j | -c] dir...");
    }
  }
  if (i >= argc) yubin::Usage("svstat [-j | -c] dir...");
  return yubin::svc::RunSvstat(mode, std::vector<std::string>(argv + i, argv + argc), 1);
}
