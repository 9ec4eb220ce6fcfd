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

Status WriteQueueFile(const std::string& path, std::string_view content, bool recycled) {
  // No O_TRUNC: a recycled file keeps its blocks (spare_files.h), and the
  // bytes past the new content are cut once it is written.
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                        kQueueFileMode));
  if (!fd.valid()) return Status::FromErrno("create " + path, errno);
  // A spare is a queue file already, mode 0600; a new one got the umask.
  if (!recycled && fchmod(fd.get(), kQueueFileMode) != 0) {
    return Status::FromErrno("chmod " + path, errno);
  }
  if (Status s = WriteAll(fd.get(), content); !s.ok()) return s.Wrap(path);
  if (ftruncate(fd.get(), static_cast<off_t>(content.size())) != 0) {
    return Status::FromErrno("truncate " + path, errno);
  }
  return Status::Ok();
}

namespace {

// A retired file that is not kept waits under "t" and its number for the
// disposer: not a number, so no injection takes it.
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

SpareTaker::SpareTaker(std::string queue_dir) : dir_(SpareDir(queue_dir)) {}

bool SpareTaker::Take(const std::string& target) {
  for (;;) {
    std::string name;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (names_.empty()) {
        const auto now = std::chrono::steady_clock::now();
        if (ever_empty_ && now - found_none_ < kSpareTakerRetry) return false;
        if (!SpareNames(dir_, kSpareTakerNames, &names_) || names_.empty()) {
          names_.clear();
          ever_empty_ = true;
          found_none_ = now;
          return false;
        }
      }
      name = dir_ + "/" + names_.back();
      names_.pop_back();
    }
    if (rename(name.c_str(), target.c_str()) == 0) return true;
    if (errno != ENOENT) return false;  // taken by another process: next
  }
}

SpareFiles::SpareFiles(std::string queue_dir)
    : q_(std::move(queue_dir)), dir_(SpareDir(q_)) {
  Rescan(/*remove_staging=*/true);
}

void SpareFiles::Rescan(bool remove_staging) {
  std::vector<std::string> names, staging;
  if (!SpareNames(dir_, SIZE_MAX, &names, &staging)) return;
  dir_ready_ = true;
  // Left by a yubin-send that died before its disposer got to them. Only
  // at the start: later ones may still be queued on our own disposer.
  if (remove_staging) {
    for (const std::string& name : staging) (void)unlink((dir_ + "/" + name).c_str());
  }
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
  bool recycled = false;
  while (!names_.empty() && !recycled) {
    std::string spare = std::move(names_.back());
    names_.pop_back();
    recycled = rename(spare.c_str(), path.c_str()) == 0;
    if (!recycled && errno != ENOENT) {
      return Status::FromErrno("rename " + spare + " to " + path, errno);
    }
  }
  return WriteQueueFile(path, content, recycled);
}

Status SpareFiles::Dispose(const std::string& path) {
  if (!EnsureDir()) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno("unlink " + path, errno);
    }
    return Status::Ok();
  }
  std::string staged = dir_ + "/" + kStagingPrefix + std::to_string(next_++);
  if (rename(path.c_str(), staged.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno("rename " + path + " to " + staged, errno);
  }
  disposer_.Unlink(std::move(staged));
  return Status::Ok();
}

Status SpareFiles::Retire(const std::string& path) {
  // yubin-queue takes spares we still count: look again before giving up,
  // but not at every call while spare/ really is full.
  ++retired_since_rescan_;
  if (names_.size() >= kMaxSpareFiles && retired_since_rescan_ >= kMaxSpareFiles / 8) {
    Rescan(/*remove_staging=*/false);
    retired_since_rescan_ = 0;
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno("stat " + path, errno);
  }
  if (!EnsureDir()) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno("unlink " + path, errno);
    }
    return Status::Ok();
  }
  // Kept whole when small and there is room: whoever takes it writes over
  // its blocks. Anything else leaves its name at once for a staging name
  // no taker looks at, and the disposer unlinks it from there.
  const bool keep =
      names_.size() < kMaxSpareFiles && st.st_size <= static_cast<off_t>(kSpareKeepBytes);
  const std::string number = std::to_string(next_++);
  std::string target = dir_ + "/" + (keep ? "" : std::string(1, kStagingPrefix)) + number;
  if (rename(path.c_str(), target.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno("rename " + path + " to " + target, errno);
  }
  if (keep) {
    names_.push_back(std::move(target));
  } else {
    disposer_.Unlink(std::move(target));
  }
  return Status::Ok();
}

}  // namespace yubin::queue
