// unix_listener.h: a listening unix socket whose name appears only once it
// listens, for the services of the queue (yubin-lspawn, yubin-rspawn,
// yubin-intake).
//
//   if (chdir(dir) != 0) ...;          // names are bound relative to it
//   UniqueFd fd;
//   Status s = ListenHere("lspawn.sock", {.mode = 0600, .owner_of_dir = true}, &fd);
//
// Binds NAME.new in the current directory (a stale one is removed), gives
// it the mode (and, when owner_of_dir and running as root, the owner of
// ".") listens, then renames it over NAME. Relative names keep deep
// directories within sockaddr_un's 108 bytes.
#ifndef YUBIN_LIB_QUEUE_UNIX_LISTENER_H_
#define YUBIN_LIB_QUEUE_UNIX_LISTENER_H_

#include <sys/types.h>

#include <string>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::queue {

struct ListenOptions {
  mode_t mode = 0600;
  bool owner_of_dir = false;
  int backlog = 16;
};

Status ListenHere(const std::string& name, const ListenOptions& options, UniqueFd* listener);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_UNIX_LISTENER_H_
