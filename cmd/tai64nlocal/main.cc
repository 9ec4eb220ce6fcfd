// tai64nlocal: turns TAI64N stamps at line starts into local time.
//
//   tai64nlocal < ROOT/log/smtpd/current | less
//
// "@4000000065a1b2c3..." at the start of a line becomes
// "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in the local time zone (TZ); other lines
// pass unchanged. Exits 0 at end of input, 111 on a read or write error.
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/tai64n_stream.h"

namespace {
constexpr char kHelp[] =
    "usage: tai64nlocal < input > output\n"
    "Converts a TAI64N stamp ('@' and 24 hex digits) at the start of each\n"
    "line to local time, YYYY-MM-DD HH:MM:SS.nnnnnnnnn (set TZ to choose the\n"
    "zone). Other lines pass unchanged. Exits 0 at end of input, 111 on a\n"
    "read or write error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  return yubin::ExitWith(yubin::ConvertStampedLines(0, 1));
}
