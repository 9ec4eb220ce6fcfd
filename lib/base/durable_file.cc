#include "lib/base/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/fd.h"

namespace yubin {
namespace {

Status WriteTempThenRename(const std::string& path, std::string_view content,
                           mode_t mode, bool durable) {
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  UniqueFd fd(OpenRetry(tmp.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                        mode));
  if (!fd.valid()) return Status::FromErrno("create " + tmp, errno);
  Status s = WriteAll(fd.get(), content);
  // open(2) applies the umask; the caller asked for an exact mode.
  if (s.ok() && ::fchmod(fd.get(), mode) != 0) {
    s = Status::FromErrno("chmod " + tmp, errno);
  }
  if (s.ok()) {
    if (durable) {
      s = CommitFile(fd.get(), tmp, path, CommitMode::kRename);
    } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
      s = Status::FromErrno("rename " + tmp + " to " + path, errno);
    }
  } else {
    s = s.Wrap(tmp);
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

}  // namespace

Status SyncFileSystem(const std::string& dir) {
  UniqueFd fd(OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("open " + dir, errno);
  if (syncfs(fd.get()) != 0) return Status::FromErrno("syncfs " + dir, errno);
  return Status::Ok();
}

std::string DirectoryOf(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status FsyncDirectory(const std::string& dir) {
  UniqueFd fd(OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("open directory " + dir, errno);
  if (::fsync(fd.get()) != 0) return Status::FromErrno("fsync " + dir, errno);
  return Status::Ok();
}

Status CommitFile(int fd, const std::string& tmp_path,
                  const std::string& final_path, CommitMode mode) {
  if (::fsync(fd) != 0) return Status::FromErrno("fsync " + tmp_path, errno);
  if (mode == CommitMode::kRename) {
    if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
      return Status::FromErrno("rename " + tmp_path + " to " + final_path,
                               errno);
    }
    return FsyncDirectory(DirectoryOf(final_path));
  }
  if (::link(tmp_path.c_str(), final_path.c_str()) != 0) {
    return Status::FromErrno("link " + tmp_path + " to " + final_path, errno);
  }
  if (Status s = FsyncDirectory(DirectoryOf(final_path)); !s.ok()) return s;
  // The message is safe under its final name; a leftover temporary name is
  // only clutter, so failing to remove it does not fail the commit.
  ::unlink(tmp_path.c_str());
  return Status::Ok();
}

Status WriteFileDurably(const std::string& path, std::string_view content,
                        mode_t mode) {
  return WriteTempThenRename(path, content, mode, /*durable=*/true);
}

Status WriteFileAtomically(const std::string& path, std::string_view content,
                           mode_t mode) {
  return WriteTempThenRename(path, content, mode, /*durable=*/false);
}

}  // namespace yubin
