// softlimit: runs a program with lower soft resource limits.
//
//   exec softlimit -d 10000000 -o 200 tcpserver ...
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/chain/exec_child.h"
#include "lib/chain/softlimit_args.h"

namespace {
constexpr char kUsage[] =
    "softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] "
    "[-l lockbytes] [-m membytes] [-o openfiles] [-p processes] "
    "[-r residentbytes] [-s stackbytes] [-t cpusecs] child";
constexpr char kHelp[] =
    "usage: softlimit [-m n] [-a n] [-d n] [-s n] [-l n] [-f n] [-c n] [-o n]\n"
    "                 [-p n] [-t n] [-r n] child...\n"
    "Sets soft resource limits, then runs child:\n"
    "  -m bytes: same as -d -s -l -a   -a address space   -d data segment\n"
    "  -s stack   -l locked memory   -f file size   -c core file size\n"
    "  -o open files   -p processes   -t CPU seconds   -r resident set\n"
    "n is a number, = (the hard limit) or unlimited (up to the hard limit);\n"
    "a value above the hard limit is lowered to it.\n"
    "Exit codes: 100 usage or bad value (the message names the flag); 111 a\n"
    "limit cannot be set or child cannot be run; otherwise child's.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  std::vector<std::string> args(argv + 1, argv + argc);
  size_t child = 0;
  auto limits = yubin::chain::ParseSoftlimitArgs(args, &child);
  if (!limits.ok()) yubin::Usage(limits.status().message() + "\n" + kUsage);
  yubin::Status applied = yubin::chain::ApplySoftLimits(*limits);
  if (!applied.ok()) return yubin::ExitWith(applied);
  yubin::chain::ExecChild(argv + 1 + child);
}
