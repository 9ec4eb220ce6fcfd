#include "lib/deliver/test_message.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace yubin::deliver::testing {

std::string TempDir(std::string_view prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base != nullptr ? base : "/tmp") + "/" +
                      std::string(prefix) + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) std::abort();
  return templ;
}

int MessageFd(std::string_view content) {
  std::string path = TempDir("msg") + "/m";
  FILE* f = std::fopen(path.c_str(), "w+");
  if (f == nullptr) std::abort();
  if (std::fwrite(content.data(), 1, content.size(), f) != content.size()) std::abort();
  std::fflush(f);
  int fd = ::dup(fileno(f));
  std::fclose(f);
  ::unlink(path.c_str());
  return fd;
}

std::string ReadFile(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

}  // namespace yubin::deliver::testing
