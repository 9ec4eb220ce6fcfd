#include "lib/chain/account.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>

namespace yubin::chain {

Result<Account> LookupAccount(const std::string& name) {
  errno = 0;
  passwd* pw = getpwnam(name.c_str());
  if (pw == nullptr) {
    if (errno != 0 && errno != ENOENT && errno != ESRCH) {
      return Status::FromErrno("unable to look up account " + name, errno);
    }
    return Status::Permanent("unknown account " + name);
  }
  return Account{name, pw->pw_uid, pw->pw_gid};
}

Status BecomeAccount(const Account& a) {
  if (setgroups(1, &a.gid) != 0) return Status::FromErrno("setgroups", errno);
  if (setgid(a.gid) != 0) return Status::FromErrno("setgid", errno);
  if (setuid(a.uid) != 0) return Status::FromErrno("setuid", errno);
  gid_t groups[2];
  int n = getgroups(2, groups);
  if (getuid() != a.uid || geteuid() != a.uid || getgid() != a.gid ||
      getegid() != a.gid || n != 1 || groups[0] != a.gid) {
    return Status::Temporary("ids not as set after switching to " + a.name);
  }
  if (a.uid != 0 && setuid(0) == 0) {
    return Status::Temporary("could regain root after switching to " + a.name);
  }
  return Status::Ok();
}

}  // namespace yubin::chain
