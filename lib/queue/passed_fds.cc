// passed_fds.cc: see passed_fds.h.
#include "lib/queue/passed_fds.h"

#include <cstring>

namespace yubin::queue {

std::vector<UniqueFd> PassedFds(const struct msghdr& msg) {
  std::vector<UniqueFd> got;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(const_cast<struct msghdr*>(&msg), c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      got.emplace_back(fd);
    }
  }
  return got;
}

}  // namespace yubin::queue
