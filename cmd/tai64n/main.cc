// tai64n: puts a precise timestamp in front of each line.
//
//   some-program | tai64n | tai64nlocal
//
// Reads lines on stdin and writes each with "@" + 24 hex digits (TAI64N) and
// a space in front, as daemontools' tai64n does. Exits 0 at end of input,
// 111 on a read or write error.
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/tai64n_stream.h"

namespace {
constexpr char kHelp[] =
    "usage: tai64n < input > output\n"
    "Prefixes each input line with '@', a TAI64N timestamp in 24 hex digits\n"
    "and a space. Exits 0 at end of input, 111 on a read or write error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  return yubin::ExitWith(yubin::StampLines(0, 1));
}
