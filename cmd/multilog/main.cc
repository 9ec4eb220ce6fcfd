// multilog: appends selected lines of stdin to automatically rotated logs.
//
//   exec multilog t s1000000 n20 ./main
//
// Exits 0 at end of input or after SIGTERM, 100 for a bad script, 111 when a
// log directory or status file cannot be opened or locked.
#include <string_view>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/multilog/multilog.h"
#include "lib/multilog/script.h"

namespace {
constexpr char kHelp[] =
    "usage: multilog script\n"
    "Reads lines from stdin and runs the script's actions on each:\n"
    "  t           prefix each line with @ and a TAI64N stamp (first only)\n"
    "  +pattern    select lines matching pattern ('*' is a wildcard)\n"
    "  -pattern    deselect lines matching pattern\n"
    "  e           print selected lines (first 200 bytes) to stderr\n"
    "  =file       keep the last selected line in file (1001 bytes)\n"
    "  sSIZE       file size for later directories (4096..16777215)\n"
    "  nNUM        number of files for later directories (>= 2)\n"
    "  !processor  run sh -c processor on each finished file\n"
    "  ./dir /dir  append selected lines to an automatically rotated log\n"
    "SIGALRM rotates now; SIGTERM finishes the line and exits.\n"
    "Exits 0 at end of input, 100 for a bad script, 111 when a directory\n"
    "cannot be opened or locked.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  std::vector<std::string_view> args(argv + 1, argv + argc);
  yubin::Result<yubin::multilog::Script> script =
      yubin::multilog::ParseScript(args);
  if (!script.ok()) return yubin::ExitWith(script.status());
  return yubin::ExitWith(yubin::multilog::RunMultilog(*script, 0));
}
