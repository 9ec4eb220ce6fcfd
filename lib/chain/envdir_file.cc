#include "lib/chain/envdir_file.h"

#include <dirent.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "lib/base/fd.h"

namespace yubin::chain {

std::optional<std::string> EnvdirValue(std::string_view content) {
  if (content.empty()) return std::nullopt;
  size_t nl = content.find('\n');
  std::string value(content.substr(0, nl));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.pop_back();
  }
  std::replace(value.begin(), value.end(), '\0', '\n');
  return value;
}

Result<std::vector<EnvChange>> ReadEnvDir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno("unable to open directory " + dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (names.size() >= kMaxEnvFiles) {
      closedir(d);
      return Status::Permanent(dir + ": more than " + std::to_string(kMaxEnvFiles) + " files");
    }
    names.emplace_back(e->d_name);
  }
  int err = errno;
  closedir(d);
  if (err != 0) return Status::FromErrno("unable to read directory " + dir, err);
  std::sort(names.begin(), names.end());

  std::vector<EnvChange> changes;
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    if (name.find('=') != std::string::npos) {
      return Status::Permanent("bad variable name " + path + ": contains '='");
    }
    UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno("unable to open " + path, errno);
    // Only the first line matters: read until a newline or the limit.
    std::string content;
    char buf[4096];
    while (content.size() < kMaxEnvFileBytes &&
           content.find('\n') == std::string::npos) {
      size_t want = std::min(sizeof buf, kMaxEnvFileBytes - content.size());
      ssize_t n = ReadRetry(fd.get(), buf, want);
      if (n < 0) return Status::FromErrno("unable to read " + path, errno);
      if (n == 0) break;
      content.append(buf, static_cast<size_t>(n));
    }
    if (content.size() >= kMaxEnvFileBytes && content.find('\n') == std::string::npos) {
      return Status::Permanent(path + ": first line longer than " +
                               std::to_string(kMaxEnvFileBytes) + " bytes");
    }
    changes.push_back({name, EnvdirValue(content)});
  }
  return changes;
}

Status ApplyEnvChanges(const std::vector<EnvChange>& changes) {
  for (const EnvChange& c : changes) {
    int rc = c.value ? setenv(c.name.c_str(), c.value->c_str(), 1)
                     : unsetenv(c.name.c_str());
    if (rc != 0) return Status::FromErrno("unable to set " + c.name, errno);
  }
  return Status::Ok();
}

}  // namespace yubin::chain
