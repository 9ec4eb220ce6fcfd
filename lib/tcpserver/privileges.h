// privileges.h: tcpserver's -u/-g, applied once the socket is bound.
//
//   Status s = DropPrivileges(options.uid, options.gid);
//   if (!s.ok()) exit 111: never serve as root when -u was asked.
//
// Order: setgroups (to just gid, or to none when only -u is given), setgid,
// setuid. Then it checks that real and effective ids are the asked ones and
// that root cannot be regained (setuid(0) must fail for a non-root uid).
// Any failure is a temporary Status naming the step.
#ifndef YUBIN_LIB_TCPSERVER_PRIVILEGES_H_
#define YUBIN_LIB_TCPSERVER_PRIVILEGES_H_

#include <sys/types.h>

#include <optional>

#include "lib/base/status.h"

namespace yubin::tcpserver {

Status DropPrivileges(std::optional<uid_t> uid, std::optional<gid_t> gid);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_PRIVILEGES_H_
