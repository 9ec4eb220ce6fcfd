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

// A name that already exists in tmp/ means another delivery got the same
// name, which the unique name makes impossible unless the clock or pid space
// misbehaves; try a few fresh names before giving up.
constexpr int kMaxNameAttempts = 3;
constexpr size_t kWriteBuffer = 65536;

}  // namespace

Result<std::string> DeliverToMaildir(const std::string& maildir,
                                     std::string_view header_lines,
                                     int message_fd) {
  std::string dir = maildir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
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
  Status s;
  {
    BufferedWriter out(fd.get(), kWriteBuffer);
    s = out.Put(header_lines);
    if (s.ok()) s = CopyMessage(message_fd, &out, MboxQuoting::kNone);
    if (s.ok()) s = out.Flush();
  }
  std::string new_path = dir + "/new/" + name;
  if (s.ok()) s = CommitFile(fd.get(), tmp_path, new_path, CommitMode::kLink);
  if (!s.ok()) {
    ::unlink(tmp_path.c_str());
    return s.Wrap("maildir delivery to " + dir);
  }
  return new_path;
}

}  // namespace yubin::deliver
