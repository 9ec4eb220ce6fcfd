// sibling_program.cc: see sibling_program.h.
#include "lib/tcpserver/sibling_program.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>

namespace yubin::tcpserver {

std::optional<std::pair<dev_t, ino_t>> SiblingProgram(const std::string& name) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  std::string self(buf, static_cast<size_t>(n));
  const size_t slash = self.rfind('/');
  if (slash == std::string::npos) return std::nullopt;
  const std::string path = self.substr(0, slash + 1) + name;
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

}  // namespace yubin::tcpserver
