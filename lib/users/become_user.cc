#include "lib/users/become_user.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>

namespace yubin::users {

Status BecomeUser(uid_t uid, gid_t gid) {
  if (uid == 0) return Status::Temporary("refusing to deliver as root (#4.3.0)");
  if (::setgroups(1, &gid) != 0) return Status::FromErrno("setgroups", errno);
  if (::setgid(gid) != 0) return Status::FromErrno("setgid", errno);
  if (::setuid(uid) != 0) return Status::FromErrno("setuid", errno);
  gid_t groups[2];
  int n = ::getgroups(2, groups);
  if (::getuid() != uid || ::geteuid() != uid || ::getgid() != gid ||
      ::getegid() != gid || n != 1 || groups[0] != gid) {
    return Status::Temporary("privilege drop did not take effect (#4.3.0)");
  }
  if (::setuid(0) == 0) return Status::Temporary("could regain root after setuid (#4.3.0)");
  return Status::Ok();
}

}  // namespace yubin::users
