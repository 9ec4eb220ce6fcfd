#include "lib/queue/layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"

namespace yubin::queue {
namespace {

constexpr char kTrigger[] = "trigger";
constexpr char kSendMutex[] = "sendmutex";

// mkdir that accepts an existing directory and always leaves mode exact
// (mkdir(2) applies the umask). *created tells whether the name is new.
Status EnsureDirectory(const std::string& path, bool* created) {
  *created = false;
  if (::mkdir(path.c_str(), kQueueDirMode) == 0) {
    *created = true;
  } else if (errno != EEXIST) {
    return Status::FromErrno("mkdir " + path, errno);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::FromErrno("stat " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::Temporary(path + ": exists and is not a directory");
  }
  if ((st.st_mode & 07777) != kQueueDirMode &&
      ::chmod(path.c_str(), kQueueDirMode) != 0) {
    return Status::FromErrno("chmod " + path, errno);
  }
  return Status::Ok();
}

// Creates path (and fsyncs its parent) when missing.
Status EnsureDurableDirectory(const std::string& path) {
  bool created = false;
  if (Status s = EnsureDirectory(path, &created); !s.ok()) return s;
  if (created) return FsyncDirectory(DirectoryOf(path));
  return Status::Ok();
}

Status EnsureFifo(const std::string& path) {
  if (::mkfifo(path.c_str(), kQueueFileMode) != 0 && errno != EEXIST) {
    return Status::FromErrno("mkfifo " + path, errno);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::FromErrno("stat " + path, errno);
  }
  if (!S_ISFIFO(st.st_mode)) {
    return Status::Temporary(path + ": exists and is not a FIFO");
  }
  if ((st.st_mode & 07777) != kQueueFileMode &&
      ::chmod(path.c_str(), kQueueFileMode) != 0) {
    return Status::FromErrno("chmod " + path, errno);
  }
  return Status::Ok();
}

Status EnsureEmptyFile(const std::string& path) {
  UniqueFd fd(OpenRetry(path.c_str(),
                        O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                        kQueueFileMode));
  if (!fd.valid()) return Status::FromErrno("create " + path, errno);
  if (::fchmod(fd.get(), kQueueFileMode) != 0) {
    return Status::FromErrno("chmod " + path, errno);
  }
  return Status::Ok();
}

}  // namespace

std::string_view AreaName(QueueArea area) {
  switch (area) {
    case QueueArea::kMess: return "mess";
    case QueueArea::kIntd: return "intd";
    case QueueArea::kTodo: return "todo";
    case QueueArea::kInfo: return "info";
    case QueueArea::kLocal: return "local";
    case QueueArea::kRemote: return "remote";
    case QueueArea::kBounce: return "bounce";
  }
  std::abort();
}

std::string QueueDir(const std::string& root) { return root + "/queue"; }
std::string TmpDir(const std::string& queue_dir) { return queue_dir + "/tmp"; }
std::string LockDir(const std::string& queue_dir) {
  return queue_dir + "/lock";
}
std::string TriggerPath(const std::string& queue_dir) {
  return LockDir(queue_dir) + "/" + kTrigger;
}
std::string SendMutexPath(const std::string& queue_dir) {
  return LockDir(queue_dir) + "/" + kSendMutex;
}

unsigned BucketOf(MessageId id) {
  return static_cast<unsigned>(id % kQueueSplit);
}

std::string BucketDir(const std::string& queue_dir, QueueArea area,
                      unsigned bucket) {
  std::string path = queue_dir;
  path += '/';
  path += AreaName(area);
  path += '/';
  path += std::to_string(bucket);
  return path;
}

std::string MessagePath(const std::string& queue_dir, QueueArea area,
                        MessageId id) {
  return BucketDir(queue_dir, area, BucketOf(id)) + "/" + std::to_string(id);
}

std::optional<MessageId> ParseMessageId(std::string_view name) {
  // 20 digits hold every uint64; longer cannot be an id.
  constexpr size_t kMaxDigits = 20;
  if (name.empty() || name.size() > kMaxDigits) return std::nullopt;
  if (name.size() > 1 && name[0] == '0') return std::nullopt;
  MessageId id = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    MessageId digit = static_cast<MessageId>(c - '0');
    if (id > (UINT64_MAX - digit) / 10) return std::nullopt;
    id = id * 10 + digit;
  }
  return id;
}

Result<std::vector<MessageId>> ListBucket(const std::string& queue_dir,
                                          QueueArea area, unsigned bucket) {
  std::string dir = BucketDir(queue_dir, area, bucket);
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno("opendir " + dir, errno);
  std::vector<MessageId> ids;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) break;
    if (std::optional<MessageId> id = ParseMessageId(e->d_name)) {
      ids.push_back(*id);
    }
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Status::FromErrno("readdir " + dir, err);
  return ids;
}

Status ForEachMessage(const std::string& queue_dir, QueueArea area,
                      const std::function<void(MessageId)>& fn) {
  for (unsigned b = 0; b < kQueueSplit; ++b) {
    Result<std::vector<MessageId>> ids = ListBucket(queue_dir, area, b);
    if (!ids.ok()) return ids.status();
    for (MessageId id : *ids) fn(id);
  }
  return Status::Ok();
}

Status CreateQueueLayout(const std::string& queue_dir) {
  if (Status s = EnsureDurableDirectory(queue_dir); !s.ok()) return s;
  for (const std::string& dir : {TmpDir(queue_dir), LockDir(queue_dir)}) {
    if (Status s = EnsureDurableDirectory(dir); !s.ok()) return s;
  }
  for (QueueArea area : kAllAreas) {
    std::string area_dir = queue_dir + "/" + std::string(AreaName(area));
    if (Status s = EnsureDurableDirectory(area_dir); !s.ok()) return s;
    bool any_created = false;
    for (unsigned b = 0; b < kQueueSplit; ++b) {
      bool created = false;
      Status s = EnsureDirectory(BucketDir(queue_dir, area, b), &created);
      if (!s.ok()) return s;
      any_created = any_created || created;
    }
    if (any_created) {
      if (Status s = FsyncDirectory(area_dir); !s.ok()) return s;
    }
  }
  if (Status s = EnsureFifo(TriggerPath(queue_dir)); !s.ok()) return s;
  if (Status s = EnsureEmptyFile(SendMutexPath(queue_dir)); !s.ok()) return s;
  return FsyncDirectory(LockDir(queue_dir));
}

Status CheckQueueLayout(const std::string& queue_dir) {
  std::vector<std::string> dirs = {queue_dir, TmpDir(queue_dir),
                                   LockDir(queue_dir)};
  for (QueueArea area : kAllAreas) {
    for (unsigned b = 0; b < kQueueSplit; ++b) {
      dirs.push_back(BucketDir(queue_dir, area, b));
    }
  }
  for (const std::string& dir : dirs) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) {
      return Status::FromErrno("stat " + dir, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::Temporary(dir + ": not a directory");
    }
  }
  return Status::Ok();
}

}  // namespace yubin::queue
