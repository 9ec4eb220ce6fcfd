#include "lib/tcpserver/privileges.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace yubin::tcpserver {

Status DropPrivileges(std::optional<uid_t> uid, std::optional<gid_t> gid) {
  if (gid) {
    gid_t groups[1] = {*gid};
    if (setgroups(1, groups) != 0)
      return Status::FromErrno("unable to setgroups", errno);
    if (setgid(*gid) != 0) return Status::FromErrno("unable to setgid", errno);
    if (getgid() != *gid || getegid() != *gid)
      return Status::Temporary("setgid did not take: gid is " +
                               std::to_string(getgid()));
  }
  if (uid) {
    // Without -g, root's supplementary groups must not follow the new uid.
    if (!gid && setgroups(0, nullptr) != 0 && errno != EPERM)
      return Status::FromErrno("unable to setgroups", errno);
    if (setuid(*uid) != 0) return Status::FromErrno("unable to setuid", errno);
    if (getuid() != *uid || geteuid() != *uid)
      return Status::Temporary("setuid did not take: uid is " +
                               std::to_string(geteuid()));
    if (*uid != 0 && setuid(0) == 0)
      return Status::Temporary("setuid left a way back to root");
  }
  return Status::Ok();
}

}  // namespace yubin::tcpserver
