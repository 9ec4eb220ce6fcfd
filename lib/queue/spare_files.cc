// spare_files.cc: see spare_files.h.
#include "lib/queue/spare_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/queue/layout.h"

namespace yubin::queue {

std::string SpareDir(const std::string& queue_dir) { return queue_dir + "/spare"; }

Status WriteQueueFile(const std::string& path, std::string_view content) {
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                        kQueueFileMode));
  if (!fd.valid()) return Status::FromErrno("create " + path, errno);
  if (fchmod(fd.get(), kQueueFileMode) != 0) return Status::FromErrno("chmod " + path, errno);
  return WriteAll(fd.get(), content).Wrap(path);
}

namespace {

// A file being retired waits under "t" and its number while it is emptied:
// not a number, so no injection takes it before it is empty (below).
constexpr char kStagingPrefix = 't';

// The names of spare/ (numbers; anything else is not ours), at most limit
// of them, and when staging is given the staging names ("t" + number) too.
// False when the directory cannot be read (it may not exist yet).
bool SpareNames(const std::string& dir, size_t limit, std::vector<std::string>* names,
                std::vector<std::string>* staging = nullptr) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return false;
  while (names->size() < limit) {
    struct dirent* e = readdir(d);
    if (e == nullptr) break;
    std::string name = e->d_name;
    const bool staged = staging != nullptr && name.size() > 1 && name[0] == kStagingPrefix;
    const std::string_view digits = std::string_view(name).substr(staged ? 1 : 0);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      continue;
    }
    (staged ? staging : names)->push_back(std::move(name));
  }
  closedir(d);
  return true;
}

// How many names an injection reads before it tries them: enough that
// concurrent injections rarely all miss, without reading all of spare/.
constexpr size_t kTakeCandidates = 32;

}  // namespace

bool TakeSpare(const std::string& queue_dir, const std::string& target) {
  const std::string dir = SpareDir(queue_dir);
  std::vector<std::string> names;
  if (!SpareNames(dir, kTakeCandidates, &names) || names.empty()) return false;
  // Concurrent injections (processes, or threads of the intake service)
  // start at different places rather than all racing for the first name:
  // each target name is unique.
  size_t start = std::hash<std::string>{}(target) % names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string from = dir + "/" + names[(start + i) % names.size()];
    if (rename(from.c_str(), target.c_str()) == 0) return true;
  }
  return false;
}

SpareFiles::SpareFiles(std::string queue_dir)
    : q_(std::move(queue_dir)), dir_(SpareDir(q_)) {
  Rescan();
}

void SpareFiles::Rescan() {
  std::vector<std::string> names, staging;
  if (!SpareNames(dir_, SIZE_MAX, &names, &staging)) return;
  dir_ready_ = true;
  // Left by a yubin-send that died between its renames: maybe not empty
  // yet, so not a spare.
  for (const std::string& name : staging) (void)unlink((dir_ + "/" + name).c_str());
  names_.clear();
  for (const std::string& name : names) {
    names_.push_back(dir_ + "/" + name);
    next_ = std::max(next_, std::strtoull(name.c_str(), nullptr, 10) + 1);
  }
}

bool SpareFiles::EnsureDir() {
  if (dir_ready_) return true;
  if (mkdir(dir_.c_str(), kQueueDirMode) != 0 && errno != EEXIST) return false;
  dir_ready_ = true;
  return true;
}

Status SpareFiles::Place(const std::string& path, std::string_view content) {
  while (!names_.empty()) {
    std::string spare = std::move(names_.back());
    names_.pop_back();
    if (rename(spare.c_str(), path.c_str()) == 0) break;
    if (errno != ENOENT) return Status::FromErrno("rename " + spare + " to " + path, errno);
  }
  return WriteQueueFile(path, content);
}

Status SpareFiles::Retire(const std::string& path) {
  // yubin-queue takes spares we still count: look again before giving up,
  // but not at every call while spare/ really is full.
  ++retired_since_rescan_;
  if (names_.size() >= kMaxSpareFiles && retired_since_rescan_ >= kMaxSpareFiles / 8) {
    Rescan();
    retired_since_rescan_ = 0;
  }
  if (names_.size() < kMaxSpareFiles && EnsureDir()) {
    const std::string number = std::to_string(next_++);
    const std::string staged = dir_ + "/" + kStagingPrefix + number;
    std::string spare = dir_ + "/" + number;
    if (rename(path.c_str(), staged.c_str()) == 0) {
      // Emptied once moved (a crash never leaves an empty file under its
      // old name), so no mail lingers in spare/ and it holds no blocks; and
      // emptied before it gets a number: truncate(2) looks the name up
      // before it truncates, so a spare emptied under its number could be
      // taken and written by an injection in between and lose what it
      // wrote.
      if (emptying_hook_) emptying_hook_();
      (void)!truncate(staged.c_str(), 0);
      if (rename(staged.c_str(), spare.c_str()) == 0) {
        names_.push_back(std::move(spare));
      } else {
        (void)unlink(staged.c_str());
      }
      return Status::Ok();
    }
    if (errno == ENOENT) return Status::Ok();
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno("unlink " + path, errno);
  }
  return Status::Ok();
}

}  // namespace yubin::queue
