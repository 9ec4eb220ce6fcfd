// own_directory.cc: see own_directory.h.
#include "lib/base/own_directory.h"

#include <unistd.h>

#include <climits>

namespace yubin {

std::string OwnDirectory() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string self(buf, static_cast<size_t>(n));
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "" : self.substr(0, slash + 1);
}

}  // namespace yubin
