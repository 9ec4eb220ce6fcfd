// fatal.h: the messages and exits of a failing command.
//
//   SetProgramName(argv[0]);
//   int fd = open(path, O_RDONLY);
//   if (fd < 0) FatalErrno("unable to open control/me");   // exits 111
//   ...
//   return ExitWith(status);   // prints "prog: fatal: msg" unless ok
//
// Messages go to stderr in daemontools' shape: "prog: fatal: what: strerror".
#ifndef YUBIN_LIB_BASE_FATAL_H_
#define YUBIN_LIB_BASE_FATAL_H_

#include <string_view>

#include "lib/base/status.h"

namespace yubin {

// Remembers the basename of argv0 for messages.
void SetProgramName(const char* argv0);
std::string_view ProgramName();

// "prog: fatal: what: strerror(errno)" on stderr, then exit 111.
[[noreturn]] void FatalErrno(std::string_view what);
// "prog: fatal: what" on stderr, then exit with code.
[[noreturn]] void Fatal(int exit_code, std::string_view what);
// "prog: usage: text" on stderr, then exit 100.
[[noreturn]] void Usage(std::string_view text);
// "prog: warning: what" on stderr; the program goes on.
void Warn(std::string_view what);

// Prints the status as "prog: fatal: message" when not ok and returns its
// exit code, for `return ExitWith(Run(...));` at the end of main().
int ExitWith(const Status& status);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_FATAL_H_
