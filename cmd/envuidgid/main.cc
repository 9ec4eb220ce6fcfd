// envuidgid: runs a program with $UID and $GID set to an account's ids.
//
//   exec envuidgid yubind tcpserver -U ...
#include <string>

#include <cstdlib>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/chain/account.h"
#include "lib/chain/exec_child.h"

namespace {
constexpr char kHelp[] =
    "usage: envuidgid account child...\n"
    "Sets UID and GID in the environment to account's uid and gid (decimal)\n"
    "and runs child, which keeps the current ids.\n"
    "Exit codes: 100 usage; 111 unknown account or child cannot be run (as\n"
    "daemontools' envuidgid); otherwise child's.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc < 3) yubin::Usage("envuidgid account child");
  auto account = yubin::chain::LookupAccount(argv[1]);
  if (!account.ok()) yubin::Fatal(yubin::kExitTemporary, account.status().message());
  if (setenv("UID", std::to_string(account->uid).c_str(), 1) != 0 ||
      setenv("GID", std::to_string(account->gid).c_str(), 1) != 0) {
    yubin::FatalErrno("unable to set UID and GID");
  }
  yubin::chain::ExecChild(argv + 2);
}
