#include "lib/base/fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace yubin {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) CloseFd(fd_);
  fd_ = fd;
}

ssize_t ReadRetry(int fd, void* buf, size_t len) {
  for (;;) {
    ssize_t n = ::read(fd, buf, len);
    if (n >= 0 || errno != EINTR) return n;
  }
}

ssize_t WriteRetry(int fd, const void* buf, size_t len) {
  for (;;) {
    ssize_t n = ::write(fd, buf, len);
    if (n >= 0 || errno != EINTR) return n;
  }
}

Status WriteAll(int fd, std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = WriteRetry(fd, p, left);
    if (n < 0) return Status::FromErrno("write", errno);
    if (n == 0) return Status::FromErrno("write", EIO);
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

ssize_t ReadFull(int fd, void* buf, size_t len) {
  char* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < len) {
    ssize_t n = ReadRetry(fd, p + got, len - got);
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

int OpenRetry(const char* path, int flags, mode_t mode) {
  for (;;) {
    int fd = ::open(path, flags, mode);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

int CloseFd(int fd) { return ::close(fd); }

Status SetNonBlocking(int fd, bool on) {
  const int old = ::fcntl(fd, F_GETFL);
  if (old < 0) return Status::FromErrno("fcntl F_GETFL", errno);
  const int flags = on ? (old | O_NONBLOCK) : (old & ~O_NONBLOCK);
  if (flags != old && ::fcntl(fd, F_SETFL, flags) < 0) {
    return Status::FromErrno("fcntl F_SETFL", errno);
  }
  return Status::Ok();
}

Status SetCloseOnExec(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) return Status::FromErrno("fcntl F_GETFD", errno);
  flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  if (::fcntl(fd, F_SETFD, flags) < 0) {
    return Status::FromErrno("fcntl F_SETFD", errno);
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const char* path, size_t max_bytes) {
  UniqueFd fd(OpenRetry(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(std::string("open ") + path, errno);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ReadRetry(fd.get(), buf, sizeof buf);
    if (n < 0) return Status::FromErrno(std::string("read ") + path, errno);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return Status::Permanent(std::string(path) + ": file larger than " +
                               std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace yubin
