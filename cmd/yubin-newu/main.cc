// yubin-newu: compiles ROOT/users/assign into ROOT/users/assign.cdb.
//
//   yubin-newu            # YUBIN_ROOT or /var/yubin
//
// The cdb is written under a temporary name, fsynced and renamed, so
// deliveries see the old or the new table, never half of one. Exit 0 done,
// 100 the assign file is malformed (nothing changed), 111 system error.
#include <string>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/base/yubin_root.h"
#include "lib/users/assign.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-newu\n"
    "Compiles $YUBIN_ROOT/users/assign (default /var/yubin) into\n"
    "users/assign.cdb, written durably (temporary file, fsync, rename).\n"
    "Exit 0 done, 100 malformed assign file (the old cdb stays), 111 system\n"
    "error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc != 1) yubin::Usage("yubin-newu (no arguments)");
  size_t count = 0;
  yubin::Status s = yubin::users::CompileAssign(yubin::YubinRoot(), &count);
  if (s.ok()) {
    (void)yubin::WriteAll(1, "yubin-newu: " + std::to_string(count) + " entries\n");
  }
  return yubin::ExitWith(s);
}
