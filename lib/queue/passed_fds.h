// passed_fds.h: the descriptors a unix socket message carried.
//
//   recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
//   std::vector<UniqueFd> fds = PassedFds(msg);   // every one, so none leaks
#ifndef YUBIN_LIB_QUEUE_PASSED_FDS_H_
#define YUBIN_LIB_QUEUE_PASSED_FDS_H_

#include <sys/socket.h>

#include <vector>

#include "lib/base/fd.h"

namespace yubin::queue {

// All SCM_RIGHTS descriptors of a received message, in order.
std::vector<UniqueFd> PassedFds(const struct msghdr& msg);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_PASSED_FDS_H_
