// root_layout.h: lays out a working yubin root (what `tools/install --root` runs).
//
//   std::vector<std::string> notes;
//   Status s = MakeRoot({.root = "/var/yubin", .user_mode = false}, &notes);
//   for (auto& n : notes) Warn(n);
//
// Creates ROOT (0755), ROOT/control (0755) with defaults for `me` (this
// host's name), `rcpthosts` and `locals` (that same name), each 0644 and
// written only when missing, and the whole queue (lib/queue/layout.h) under
// ROOT/queue. Re-running keeps every existing control file and queued
// message. In user mode everything belongs to the invoking user. Otherwise
// the caller must be root and the queue is handed to the user `yubinq` when
// that account exists; when it does not, a note says how to create it (the
// queue then stays root's). Fails with a temporary Status on system errors,
// a permanent one when not root without user mode.
#ifndef YUBIN_LIB_SETUP_ROOT_LAYOUT_H_
#define YUBIN_LIB_SETUP_ROOT_LAYOUT_H_

#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::setup {

// The account that owns the queue when yubin runs as root.
inline constexpr char kQueueUser[] = "yubinq";

struct RootOptions {
  std::string root;
  bool user_mode = false;
  std::string me;  // empty: ThisHostName()
};

// The fully qualified name of this host (as `hostname -f`: the canonical
// name of gethostname()), or the plain host name when that lookup fails.
std::string ThisHostName();

Status MakeRoot(const RootOptions& options, std::vector<std::string>* notes);

}  // namespace yubin::setup

#endif  // YUBIN_LIB_SETUP_ROOT_LAYOUT_H_
