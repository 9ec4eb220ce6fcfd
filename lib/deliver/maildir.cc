#include "lib/deliver/maildir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/buffered_io.h"
#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/deliver/message_copy.h"
#include "lib/deliver/unique_name.h"

namespace yubin::deliver {
namespace {

// A name that already exists means another delivery got the same name,
// which the unique name makes impossible unless the clock or pid space
// misbehaves; try a few fresh names before giving up.
constexpr int kMaxNameAttempts = 3;
constexpr size_t kWriteBuffer = 65536;

// Writes the header lines, then the message.
Status WriteMessage(int fd, std::string_view header_lines, int message_fd) {
  BufferedWriter out(fd, kWriteBuffer);
  Status s = out.Put(header_lines);
  if (s.ok()) s = CopyMessage(message_fd, &out, MboxQuoting::kNone);
  if (s.ok()) s = out.Flush();
  return s;
}

// An unnamed file links into new/ through its /proc/self/fd entry
// (linkat's AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which the recipient
// has not): without /proc the unnamed way is not taken at all.
bool ProcFdUsable() {
  static const bool usable = ::access("/proc/self/fd", X_OK) == 0;
  return usable;
}

// O_TMPFILE is unknown to the kernel (EISDIR, EINVAL) or to the file
// system (EOPNOTSUPP: NFS, for one).
bool UnnamedUnsupported(int err) {
  return err == EOPNOTSUPP || err == EISDIR || err == EINVAL;
}

// The steps with a named tmp/ file, for where unnamed ones are not to be had.
Result<std::string> DeliverNamed(const std::string& dir, std::string_view header_lines,
                                 int message_fd) {
  std::string name;
  std::string tmp_path;
  UniqueFd fd;
  for (int attempt = 0; attempt < kMaxNameAttempts && !fd.valid(); ++attempt) {
    name = MaildirUniqueName();
    tmp_path = dir + "/tmp/" + name;
    fd.reset(OpenRetry(tmp_path.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                       kMaildirFileMode));
    if (!fd.valid() && errno != EEXIST) {
      return Status::FromErrno("create " + tmp_path, errno)
          .Wrap("maildir delivery");
    }
  }
  if (!fd.valid()) {
    return Status::Temporary("maildir delivery: no unique name in " + dir +
                             "/tmp");
  }
  Status s = WriteMessage(fd.get(), header_lines, message_fd);
  std::string new_path = dir + "/new/" + name;
  if (s.ok()) s = CommitFile(fd.get(), tmp_path, new_path, CommitMode::kLink);
  if (!s.ok()) {
    ::unlink(tmp_path.c_str());
    return s.Wrap("maildir delivery to " + dir);
  }
  return new_path;
}

}  // namespace

Result<std::string> DeliverToMaildir(const std::string& maildir,
                                     std::string_view header_lines,
                                     int message_fd, MaildirTemp temp) {
  std::string dir = maildir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (temp == MaildirTemp::kNamed || !ProcFdUsable()) {
    return DeliverNamed(dir, header_lines, message_fd);
  }
  const std::string tmp_dir = dir + "/tmp";
  UniqueFd fd(OpenRetry(tmp_dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC,
                        kMaildirFileMode));
  if (!fd.valid()) {
    if (UnnamedUnsupported(errno)) return DeliverNamed(dir, header_lines, message_fd);
    return Status::FromErrno("create an unnamed file in " + tmp_dir, errno)
        .Wrap("maildir delivery");
  }
  Status s = WriteMessage(fd.get(), header_lines, message_fd);
  if (s.ok() && ::fsync(fd.get()) != 0) {
    s = Status::FromErrno("fsync the new file in " + tmp_dir, errno);
  }
  if (!s.ok()) return s.Wrap("maildir delivery to " + dir);
  // Until this link the file has no name: a crash or a failure leaves
  // nothing behind, and nobody sees a half written message anywhere.
  const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
  for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
    std::string new_path = dir + "/new/" + MaildirUniqueName();
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, new_path.c_str(),
                 AT_SYMLINK_FOLLOW) != 0) {
      if (errno == EEXIST) continue;
      // /proc refused (a hardened /proc, say) or the link cannot be made:
      // the classic steps either work or say why they cannot.
      return DeliverNamed(dir, header_lines, message_fd);
    }
    if (Status d = FsyncDirectory(dir + "/new"); !d.ok()) {
      return d.Wrap("maildir delivery");
    }
    return new_path;
  }
  return Status::Temporary("maildir delivery: no unique name in " + dir + "/new");
}

}  // namespace yubin::deliver
