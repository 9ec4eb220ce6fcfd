#include "lib/base/fatal.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace yubin {
namespace {

std::string& ProgramNameStorage() {
  static std::string* name = new std::string("yubin");
  return *name;
}

// One write(2) per message so lines from concurrent processes do not mix.
void WriteMessage(std::string_view kind, std::string_view what,
                  std::string_view detail) {
  std::string line(ProgramName());
  line += ": ";
  line += kind;
  line += ": ";
  line += what;
  if (!detail.empty()) {
    line += ": ";
    line += detail;
  }
  line += '\n';
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(2, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void SetProgramName(const char* argv0) {
  if (argv0 == nullptr || *argv0 == '\0') return;
  const char* slash = std::strrchr(argv0, '/');
  ProgramNameStorage() = slash ? slash + 1 : argv0;
}

std::string_view ProgramName() { return ProgramNameStorage(); }

void FatalErrno(std::string_view what) {
  int err = errno;
  WriteMessage("fatal", what, std::strerror(err));
  std::_Exit(kExitTemporary);
}

void Fatal(int exit_code, std::string_view what) {
  WriteMessage("fatal", what, "");
  std::_Exit(exit_code);
}

void Usage(std::string_view text) {
  WriteMessage("usage", text, "");
  std::_Exit(kExitPermanent);
}

void Warn(std::string_view what) { WriteMessage("warning", what, ""); }

int ExitWith(const Status& status) {
  if (!status.ok()) WriteMessage("fatal", status.message(), "");
  return ExitCodeFor(status);
}

}  // namespace yubin
