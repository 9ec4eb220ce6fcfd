#include "supervise/event_fifodir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "lib/base/fd.h"

namespace yubin::supervise {

Status CreateEventFifodir(const char* path) {
  if (mkdir(path, 0700) < 0 && errno != EEXIST) {
    return Status::FromErrno(std::string("mkdir ") + path, errno);
  }
  // Group members (s6-svwait run by another user of the group) may add
  // FIFOs; sticky so they remove only their own; setgid keeps the group.
  if (chmod(path, 03730) < 0) {
    return Status::FromErrno(std::string("chmod ") + path, errno);
  }
  return Status::Ok();
}

void NotifyEventFifodir(const char* path, char event) {
  int dfd = OpenRetry(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  DIR* dir = fdopendir(dfd);
  if (dir == nullptr) {
    CloseFd(dfd);
    return;
  }
  const size_t prefix_len = sizeof kFifoPrefix - 1;
  int served = 0;
  while (struct dirent* e = readdir(dir)) {
    if (std::strncmp(e->d_name, kFifoPrefix, prefix_len) != 0) continue;
    if (++served > kMaxSubscribers) break;
    int fd = openat(dfd, e->d_name, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENXIO) unlinkat(dfd, e->d_name, 0);
      continue;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
      CloseFd(fd);
      continue;
    }
    // A full FIFO (EAGAIN) means the reader is far behind; it misses this one.
    (void)WriteRetry(fd, &event, 1);
    CloseFd(fd);
  }
  closedir(dir);
}

}  // namespace yubin::supervise
