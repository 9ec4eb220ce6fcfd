#include "lib/queue/cleanup.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

#include "lib/queue/layout.h"

namespace yubin::queue {
namespace {

// True when path exists and its ctime is at least grace seconds before now.
bool IsStale(const std::string& path, time_t grace, time_t now) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return false;
  return st.st_ctime <= now - grace;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Status CleanTmp(const std::string& queue_dir, time_t grace, time_t now,
                CleanupReport* report) {
  std::string dir = TmpDir(queue_dir);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno("opendir " + dir, errno);
  std::vector<std::string> stale;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) break;
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + e->d_name;
    if (IsStale(path, grace, now)) stale.push_back(path);
  }
  int err = errno;
  ::closedir(d);
  for (const std::string& path : stale) {
    if (::unlink(path.c_str()) == 0) ++report->tmp_removed;
  }
  if (err != 0) return Status::FromErrno("readdir " + dir, err);
  return Status::Ok();
}

}  // namespace

Status CleanupLeftovers(const std::string& queue_dir, time_t grace, time_t now,
                        CleanupReport* report) {
  Status first_error = CleanTmp(queue_dir, grace, now, report);
  for (unsigned b = 0; b < kQueueSplit; ++b) {
    Result<std::vector<MessageId>> intd =
        ListBucket(queue_dir, QueueArea::kIntd, b);
    if (!intd.ok()) {
      if (first_error.ok()) first_error = intd.status();
    } else {
      for (MessageId id : *intd) {
        std::string path = MessagePath(queue_dir, QueueArea::kIntd, id);
        if (IsStale(path, grace, now) && ::unlink(path.c_str()) == 0) {
          ++report->intd_removed;
        }
      }
    }
    Result<std::vector<MessageId>> mess =
        ListBucket(queue_dir, QueueArea::kMess, b);
    if (!mess.ok()) {
      if (first_error.ok()) first_error = mess.status();
      continue;
    }
    for (MessageId id : *mess) {
      std::string path = MessagePath(queue_dir, QueueArea::kMess, id);
      if (!IsStale(path, grace, now)) continue;
      // A stale intd name of this id was removed above; a fresh one belongs
      // to a live injection and keeps the content.
      if (Exists(MessagePath(queue_dir, QueueArea::kIntd, id)) ||
          Exists(MessagePath(queue_dir, QueueArea::kTodo, id)) ||
          Exists(MessagePath(queue_dir, QueueArea::kInfo, id))) {
        continue;
      }
      if (::unlink(path.c_str()) == 0) ++report->mess_removed;
    }
  }
  return first_error;
}

}  // namespace yubin::queue
