// envdir: runs a program with environment variables from a directory.
//
//   exec envdir ./env tcpserver ...
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/chain/envdir_file.h"
#include "lib/chain/exec_child.h"

namespace {
constexpr char kHelp[] =
    "usage: envdir dir child...\n"
    "For each file in dir (names starting with '.' skipped): an empty file\n"
    "removes the variable of that name; otherwise the variable is set to\n"
    "the file's first line, trailing spaces and tabs removed, NULs turned\n"
    "into newlines. Then runs child.\n"
    "Exit codes: 100 usage or a file name containing '='; 111 dir or a file\n"
    "cannot be read, or child cannot be run; otherwise child's.\n"
    "(daemontools' envdir exits 111 on usage errors.)\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc < 3) yubin::Usage("envdir dir child");
  auto changes = yubin::chain::ReadEnvDir(argv[1]);
  if (!changes.ok()) return yubin::ExitWith(changes.status());
  yubin::Status s = yubin::chain::ApplyEnvChanges(*changes);
  if (!s.ok()) return yubin::ExitWith(s);
  yubin::chain::ExecChild(argv + 2);
}
