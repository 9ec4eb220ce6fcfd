#include "lib/base/command_line.h"

#include <cstdlib>
#include <cstring>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"

namespace yubin {

void HandleHelp(int argc, char** argv, std::string_view help_text) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return;
    if (std::strcmp(argv[i], "--help") == 0) {
      std::exit(WriteAll(1, help_text).ok() ? 0 : 111);
    }
  }
}

int ParseReadinessOption(int argc, char** argv, std::string_view help_text) {
  int fd = -1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-d") != 0 || i + 1 >= argc) Usage(help_text);
    const char* text = argv[++i];
    long value = 0;
    for (const char* p = text; *p != '\0'; ++p) {
      if (*p < '0' || *p > '9' || value > kMaxReadinessFd) Usage(help_text);
      value = value * 10 + (*p - '0');
    }
    if (*text == '\0' || value > kMaxReadinessFd) Usage(help_text);
    fd = static_cast<int>(value);
  }
  return fd;
}

}  // namespace yubin
