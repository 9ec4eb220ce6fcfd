// logtail: prints the last lines of a multilog directory, optionally
// following it across rotations.
//
//   logtail -n 50 -f -l /var/yubin/log/smtpd
//
// Exits 0 (without -f), 100 for bad usage, 111 when the directory cannot be
// read or output cannot be written.
#include <unistd.h>

#include <string>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/multilog/logtail.h"

namespace {
constexpr char kHelp[] =
    "usage: logtail [-n N] [-f] [-l] DIR\n"
    "Prints the last N lines (default 10) of the multilog directory DIR,\n"
    "reading its archives and current as one log.\n"
    "  -n N  number of lines\n"
    "  -f    keep following the log across rotations\n"
    "  -l    convert TAI64N stamps to local time, like tai64nlocal\n"
    "Exits 0, 100 for bad usage, 111 when DIR cannot be read.\n";

bool ParseLines(const char* text, size_t* out) {
  if (*text == '\0') return false;
  size_t v = 0;
  for (const char* p = text; *p; ++p) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + static_cast<size_t>(*p - '0');
    if (v > 100000000) return false;
  }
  *out = v;
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::multilog::LogTailOptions options;
  int opt;
  while ((opt = getopt(argc, argv, "n:fl")) != -1) {
    switch (opt) {
      case 'n':
        if (!ParseLines(optarg, &options.lines)) {
          yubin::Usage("logtail [-n N] [-f] [-l] DIR (N is a number)");
        }
        break;
      case 'f':
        options.follow = true;
        break;
      case 'l':
        options.local_time = true;
        break;
      default:
        yubin::Usage("logtail [-n N] [-f] [-l] DIR");
    }
  }
  if (optind + 1 != argc) yubin::Usage("logtail [-n N] [-f] [-l] DIR");
  return yubin::ExitWith(
      yubin::multilog::RunLogTail(argv[optind], options, 1));
}
