// code_mappings.cc: see code_mappings.h.
#include "lib/tcpserver/code_mappings.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "lib/base/fd.h"

namespace yubin::tcpserver {
namespace {

// /proc/self/maps of a server is a few kilobytes; more is not read.
constexpr size_t kMaxMapsBytes = 1 << 20;

}  // namespace

std::vector<uintptr_t> ReadOnlyFileMappings(std::string_view maps) {
  std::vector<uintptr_t> starts;
  while (!maps.empty()) {
    const size_t eol = maps.find('\n');
    std::string_view line = maps.substr(0, eol);
    maps.remove_prefix(eol == std::string_view::npos ? maps.size() : eol + 1);
    // "start-end perms offset dev inode [path]": a path starting with '/'
    // is a file; "[vdso]" and anonymous mappings are not.
    const size_t dash = line.find('-');
    const size_t space = line.find(' ');
    if (dash == std::string_view::npos || space == std::string_view::npos || dash > space ||
        line.find(" /") == std::string_view::npos) {
      continue;
    }
    const std::string_view perms = line.substr(space + 1, 4);
    if (perms != "r-xp" && perms != "r--p") continue;
    uintptr_t start = 0;
    const char* const end = line.data() + dash;
    if (dash > 0 && std::from_chars(line.data(), end, start, 16).ptr == end) {
      starts.push_back(start);
    }
  }
  return starts;
}

size_t ShareCodeMappingsWithChildren() {
  Result<std::string> maps = ReadSmallFile("/proc/self/maps", kMaxMapsBytes);
  if (!maps.ok()) return 0;
  UniqueFd mem(OpenRetry("/proc/self/mem", O_RDWR | O_CLOEXEC));
  if (!mem.valid()) return 0;
  size_t prepared = 0;
  for (uintptr_t start : ReadOnlyFileMappings(*maps)) {
    const off_t at = static_cast<off_t>(start);
    char byte;
    if (pread(mem.get(), &byte, 1, at) == 1 && pwrite(mem.get(), &byte, 1, at) == 1) {
      ++prepared;
    }
  }
  return prepared;
}

}  // namespace yubin::tcpserver
