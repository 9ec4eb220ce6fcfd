#include "lib/base/command_line.h"

#include <cstdlib>
#include <cstring>

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

}  // namespace yubin
