// command_line.h: what every yubin command does with --help.
//
//   HandleHelp(argc, argv, kHelp);   // first thing in main()
//
// "--help" anywhere before a "--" prints the text on stdout and exits 0, so
// `prog --help | less` works; usage errors still go to stderr with exit 100.
#ifndef YUBIN_LIB_BASE_COMMAND_LINE_H_
#define YUBIN_LIB_BASE_COMMAND_LINE_H_

#include <string_view>

namespace yubin {

void HandleHelp(int argc, char** argv, std::string_view help_text);

// For daemons whose one option is "-d FD" (readiness: write a newline to FD
// once serving, as s6's notification-fd expects). Returns FD, or -1 when the
// option is absent; anything else is a usage error (exit 100).
inline constexpr int kMaxReadinessFd = 1 << 20;
int ParseReadinessOption(int argc, char** argv, std::string_view help_text);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_COMMAND_LINE_H_
