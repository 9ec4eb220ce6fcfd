// hold_mark.cc: see hold_mark.h.
#include "lib/queue/hold_mark.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"

namespace yubin::queue {
namespace {

Mark FromByte(char c) { return c == 'd' ? Mark::kDelete : Mark::kHold; }

}  // namespace

std::string HoldDir(const std::string& q) { return q + "/hold"; }

std::string HoldPath(const std::string& q, MessageId id) {
  return HoldDir(q) + "/" + std::to_string(id);
}

const char* MarkName(Mark mark) {
  switch (mark) {
    case Mark::kNone: return "";
    case Mark::kHold: return "held";
    case Mark::kDelete: return "to be deleted";
  }
  return "";
}

Status WriteMark(const std::string& q, MessageId id, Mark mark) {
  if (mark == Mark::kNone) return RemoveMark(q, id);
  std::string dir = HoldDir(q);
  if (mkdir(dir.c_str(), kQueueDirMode) == 0) {
    if (chmod(dir.c_str(), kQueueDirMode) != 0) return Status::FromErrno("chmod " + dir, errno);
    Status s = FsyncDirectory(q);
    if (!s.ok()) return s;
  } else if (errno != EEXIST) {
    return Status::FromErrno("mkdir " + dir, errno);
  }
  return WriteFileDurably(HoldPath(q, id), mark == Mark::kDelete ? "d" : "h",
                          kQueueFileMode);
}

Result<Mark> ReadMark(const std::string& q, MessageId id) {
  std::string path = HoldPath(q, id);
  UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return Mark::kNone;
    return Status::FromErrno("open " + path, errno);
  }
  char c = 0;
  if (ReadRetry(fd.get(), &c, 1) < 0) return Status::FromErrno("read " + path, errno);
  return FromByte(c);
}

Result<std::map<MessageId, Mark>> ReadAllMarks(const std::string& q) {
  std::map<MessageId, Mark> out;
  std::string dir = HoldDir(q);
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    return Status::FromErrno("opendir " + dir, errno);
  }
  std::vector<MessageId> ids;
  errno = 0;
  while (struct dirent* e = readdir(d.get())) {
    if (auto id = ParseMessageId(e->d_name)) ids.push_back(*id);
  }
  if (errno != 0) return Status::FromErrno("readdir " + dir, errno);
  for (MessageId id : ids) {
    Result<Mark> m = ReadMark(q, id);
    if (!m.ok()) return m.status();
    if (*m != Mark::kNone) out[id] = *m;  // removed meanwhile: not marked
  }
  return out;
}

Status RemoveMark(const std::string& q, MessageId id) {
  std::string path = HoldPath(q, id);
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    return Status::FromErrno("unlink " + path, errno);
  }
  return FsyncDirectory(HoldDir(q));
}

}  // namespace yubin::queue
