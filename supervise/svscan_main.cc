// svscan: starts and keeps a supervise for every service in a directory.
//
//   svscan -t 5 /var/yubin/service
//
// See docs/man/svscan.8 and svscan_daemon.h. Exits 0 after SIGTERM once every
// service and logger has stopped, 100 on bad usage, 111 on a system error.
#include <cstdlib>
#include <cstring>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "supervise/service_config.h"
#include "supervise/svscan_daemon.h"

namespace {
constexpr char kHelp[] =
    "usage: svscan [-t seconds] [DIR]\n"
    "Starts supervise for each subdirectory of DIR (default .) not starting\n"
    "with a dot, and for its log/ subdirectory, joined by a pipe svscan keeps.\n"
    "Rescans every 5 seconds (-t; 0 = only on SIGHUP or SIGALRM). SIGTERM\n"
    "stops every service, then every logger, and exits 0. The supervise\n"
    "program is $YUBIN_SUPERVISE or the one beside svscan. Exits 100 on bad\n"
    "usage, 111 on a system error.\n";
constexpr char kUsage[] = "svscan [-t seconds] [DIR]";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::supervise::SvscanOptions options;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    if (std::strncmp(argv[i], "-t", 2) != 0) yubin::Usage(kUsage);
    const char* value = argv[i][2] != '\0' ? argv[i] + 2 : nullptr;
    if (value == nullptr) {
      if (i + 1 >= argc) yubin::Usage(kUsage);
      value = argv[++i];
    }
    auto n = yubin::supervise::ParseConfigNumber(
        value, yubin::supervise::kMaxRescanSeconds);
    if (!n) yubin::Usage(kUsage);
    options.rescan_seconds = static_cast<int>(*n);
  }
  if (i < argc) options.dir = argv[i++];
  if (i < argc) yubin::Usage(kUsage);
  return yubin::supervise::RunSvscan(options);
}
