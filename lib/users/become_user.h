// become_user.h: turns a root process into the recipient, for good.
//
//   Status s = BecomeUser(user.uid, user.gid);
//   if (!s.ok()) return s;   // temporary: nothing was delivered
//
// Order: setgroups (just the user's gid), setgid, setuid; then verified:
// real and effective ids are the user's, the supplementary groups are only
// gid, and setuid(0) fails. Refuses uid 0. Any failure is temporary (a
// broken environment, not a property of the message).
#ifndef YUBIN_LIB_USERS_BECOME_USER_H_
#define YUBIN_LIB_USERS_BECOME_USER_H_

#include <sys/types.h>

#include "lib/base/status.h"

namespace yubin::users {

Status BecomeUser(uid_t uid, gid_t gid);

}  // namespace yubin::users

#endif  // YUBIN_LIB_USERS_BECOME_USER_H_
