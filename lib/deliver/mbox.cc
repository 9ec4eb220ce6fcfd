#include "lib/deliver/mbox.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <thread>

#include "lib/base/buffered_io.h"
#include "lib/base/fd.h"
#include "lib/deliver/message_copy.h"

namespace yubin::deliver {
namespace {

constexpr size_t kWriteBuffer = 65536;

// flock(2) has no timeout; the wait is bounded by polling with LOCK_NB.
// fcntl's F_SETLKW can be interrupted by SIGALRM, but a library must not own
// the process's alarm, so both locks are polled the same way.
Status LockWithTimeout(int fd, const std::string& path) {
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      Clock::now() + std::chrono::seconds(kMboxLockTimeoutSeconds);
  auto pause = std::chrono::milliseconds(1);
  constexpr auto kMaxPause = std::chrono::milliseconds(100);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::FromErrno("flock " + path, errno);
    }
    if (Clock::now() >= deadline) {
      return Status::Temporary("mbox " + path + " is locked by another writer");
    }
    std::this_thread::sleep_for(pause);
    if (pause < kMaxPause) pause *= 2;
  }
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  for (;;) {
    if (::fcntl(fd, F_SETLK, &lock) == 0) return Status::Ok();
    if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
      return Status::FromErrno("fcntl lock " + path, errno);
    }
    if (Clock::now() >= deadline) {
      return Status::Temporary("mbox " + path + " is locked by another writer");
    }
    std::this_thread::sleep_for(pause);
    if (pause < kMaxPause) pause *= 2;
  }
}

}  // namespace

std::string MboxFromLine(std::string_view sender, time_t when) {
  tm utc{};
  ::gmtime_r(&when, &utc);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%a %b %e %H:%M:%S %Y", &utc);
  std::string line = "From ";
  line += sender.empty() ? std::string_view("MAILER-DAEMON") : sender;
  line += ' ';
  line += stamp;
  line += '\n';
  return line;
}

Status DeliverToMbox(const std::string& path, std::string_view sender,
                     std::string_view header_lines, int message_fd) {
  UniqueFd fd(OpenRetry(path.c_str(),
                        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                        kMboxFileMode));
  if (!fd.valid()) {
    return Status::FromErrno("open " + path, errno).Wrap("mbox delivery");
  }
  if (Status s = LockWithTimeout(fd.get(), path); !s.ok()) {
    return s.Wrap("mbox delivery");
  }
  // The size is read under the lock: it is where this message starts and
  // where the file is cut back to if anything fails.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Status::FromErrno("stat " + path, errno).Wrap("mbox delivery");
  }
  const off_t old_size = st.st_size;
  Status s;
  {
    BufferedWriter out(fd.get(), kWriteBuffer);
    s = out.Put(MboxFromLine(sender, ::time(nullptr)));
    if (s.ok()) s = out.Put(header_lines);
    if (s.ok()) s = CopyMessage(message_fd, &out, MboxQuoting::kQuoteFrom);
    if (s.ok()) s = out.PutChar('\n');
    if (s.ok()) s = out.Flush();
  }
  if (s.ok() && ::fsync(fd.get()) != 0) s = Status::FromErrno("fsync " + path, errno);
  if (!s.ok()) {
    if (::ftruncate(fd.get(), old_size) != 0) {
      return s.Wrap("mbox delivery (and truncating back failed: " +
                    std::string(std::strerror(errno)) + ")");
    }
    return s.Wrap("mbox delivery");
  }
  // Closing the fd releases both locks.
  return Status::Ok();
}

}  // namespace yubin::deliver
