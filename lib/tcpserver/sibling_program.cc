// sibling_program.cc: see sibling_program.h.
#include "lib/tcpserver/sibling_program.h"

#include <sys/stat.h>

#include "lib/base/own_directory.h"

namespace yubin::tcpserver {

std::optional<std::pair<dev_t, ino_t>> SiblingProgram(const std::string& name) {
  const std::string dir = OwnDirectory();
  if (dir.empty()) return std::nullopt;
  const std::string path = dir + name;
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

}  // namespace yubin::tcpserver
