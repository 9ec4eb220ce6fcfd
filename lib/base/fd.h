// fd.h: raw file-descriptor helpers with EINTR handled once, here.
//
//   UniqueFd fd = OpenRetry("control/me", O_RDONLY | O_CLOEXEC);
//   if (!fd.valid()) return Status::FromErrno("open control/me", errno);
//   Status s = WriteAll(out, data);
//
// ReadRetry/WriteRetry return what read(2)/write(2) return, restarted on
// EINTR; WriteAll loops over short writes. Nothing here allocates.
#ifndef YUBIN_LIB_BASE_FD_H_
#define YUBIN_LIB_BASE_FD_H_

#include <sys/types.h>

#include <string_view>

#include "lib/base/status.h"

namespace yubin {

// Owns one descriptor; closes it on destruction. Movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

ssize_t ReadRetry(int fd, void* buf, size_t len);
ssize_t WriteRetry(int fd, const void* buf, size_t len);
// Writes every byte or returns a temporary Status naming the errno.
Status WriteAll(int fd, std::string_view data);
// Reads until len bytes or end of file; returns the count read, or -1.
ssize_t ReadFull(int fd, void* buf, size_t len);

int OpenRetry(const char* path, int flags, mode_t mode = 0);
// close(2) that does not retry on EINTR (Linux closes the fd regardless).
int CloseFd(int fd);

Status SetNonBlocking(int fd, bool on);
Status SetCloseOnExec(int fd, bool on);

// Reads a whole (small) file; fails with a permanent status when it exceeds
// max_bytes, so a hostile or mistaken file cannot grow memory without bound.
Result<std::string> ReadSmallFile(const char* path, size_t max_bytes);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_FD_H_
