#include "lib/svc/event_fifo.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/tai64n.h"

namespace yubin::svc {

std::string EventFifo::MakeName() {
  static const char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char random[6] = {};
  if (getrandom(random, sizeof random, 0) != sizeof random) {
    // No entropy source: the pid keeps names of concurrent listeners apart.
    unsigned pid = static_cast<unsigned>(getpid());
    for (unsigned char& c : random) {
      c = static_cast<unsigned char>(pid);
      pid /= 62;
    }
  }
  std::string name = "ftrig1:" + FormatTai64nLabel(Tai64n::Now()) + ":";
  for (unsigned char c : random) name += kAlphabet[c % 62];
  return name;
}

Result<EventFifo> EventFifo::Subscribe(const std::string& service_dir) {
  std::string dir = service_dir + "/event";
  std::string name = MakeName();
  std::string hidden = dir + "/." + name;
  EventFifo sub;
  if (mkfifo(hidden.c_str(), 0600) != 0) {
    return Status::FromErrno("unable to create " + hidden, errno);
  }
  sub.read_fd_.reset(OpenRetry(hidden.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (sub.read_fd_.valid()) {
    sub.write_fd_.reset(
        OpenRetry(hidden.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  }
  if (!sub.read_fd_.valid() || !sub.write_fd_.valid()) {
    int err = errno;
    unlink(hidden.c_str());
    return Status::FromErrno("unable to open " + hidden, err);
  }
  std::string visible = dir + "/" + name;
  if (rename(hidden.c_str(), visible.c_str()) != 0) {
    int err = errno;
    unlink(hidden.c_str());
    return Status::FromErrno("unable to rename " + hidden, err);
  }
  sub.path_ = visible;
  return sub;
}

EventFifo::EventFifo(EventFifo&& other) noexcept
    : read_fd_(std::move(other.read_fd_)),
      write_fd_(std::move(other.write_fd_)),
      path_(std::move(other.path_)) {
  other.path_.clear();
}

EventFifo::~EventFifo() {
  if (!path_.empty()) unlink(path_.c_str());
}

Result<std::string> EventFifo::ReadEvents() {
  char buf[kEventReadSize];
  ssize_t n = ReadRetry(read_fd_.get(), buf, sizeof buf);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::string();
    return Status::FromErrno("unable to read " + path_, errno);
  }
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace yubin::svc
