// setuidgid: runs a program as another account.
//
//   exec setuidgid yubind tcpserver ...
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/chain/account.h"
#include "lib/chain/exec_child.h"

namespace {
constexpr char kHelp[] =
    "usage: setuidgid account child...\n"
    "Sets the supplementary groups to just account's group, then the gid,\n"
    "then the uid (checking each took effect), and runs child.\n"
    "Exit codes: 100 usage; 111 unknown account, a failed switch or child\n"
    "cannot be run (as daemontools' setuidgid); otherwise child's.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc < 3) yubin::Usage("setuidgid account child");
  auto account = yubin::chain::LookupAccount(argv[1]);
  if (!account.ok()) yubin::Fatal(yubin::kExitTemporary, account.status().message());
  yubin::Status s = yubin::chain::BecomeAccount(*account);
  if (!s.ok()) return yubin::ExitWith(s);
  yubin::chain::ExecChild(argv + 2);
}
