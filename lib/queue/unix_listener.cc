// unix_listener.cc: see unix_listener.h.
#include "lib/queue/unix_listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

namespace yubin::queue {

Status ListenHere(const std::string& name, const ListenOptions& options, UniqueFd* listener) {
  const std::string tmp = name + ".new";
  struct sockaddr_un sa = {};
  sa.sun_family = AF_UNIX;
  if (tmp.size() >= sizeof sa.sun_path) return Status::Temporary("socket name too long: " + tmp);
  tmp.copy(sa.sun_path, sizeof sa.sun_path - 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::FromErrno("socket", errno);
  if (unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno("unlink " + tmp, errno);
  }
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    return Status::FromErrno("bind " + tmp, errno);
  }
  if (chmod(tmp.c_str(), options.mode) != 0) return Status::FromErrno("chmod " + tmp, errno);
  if (options.owner_of_dir && geteuid() == 0) {
    struct stat st;
    if (stat(".", &st) != 0) return Status::FromErrno("stat .", errno);
    if (chown(tmp.c_str(), st.st_uid, st.st_gid) != 0) {
      return Status::FromErrno("chown " + tmp, errno);
    }
  }
  if (listen(fd.get(), options.backlog) != 0) return Status::FromErrno("listen " + tmp, errno);
  if (rename(tmp.c_str(), name.c_str()) != 0) {
    return Status::FromErrno("rename " + tmp + " to " + name, errno);
  }
  *listener = std::move(fd);
  return Status::Ok();
}

}  // namespace yubin::queue
