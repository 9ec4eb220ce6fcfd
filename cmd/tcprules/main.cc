// tcprules: compiles tcpserver access rules into a cdb.
//
//   cd /var/yubin/control && tcprules tcp.smtp.cdb tcp.smtp.tmp < tcp.smtp
//
// Exits 0 when the new cdb is in place, 100 on a bad rule (the message names
// the line and the problem; the old cdb is untouched), 111 on a system error.
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/rules/rules_cdb.h"

namespace {
constexpr char kHelp[] =
    "usage: tcprules rules.cdb rules.tmp < rules\n"
    "Reads tcpserver rules (ADDRESS:allow|deny[,VAR=\"value\"]...) from\n"
    "stdin, writes them as a cdb to rules.tmp, fsyncs it and renames it onto\n"
    "rules.cdb. Exits 0 on success, 100 on a bad rule (the message names the\n"
    "line; rules.cdb is left alone), 111 on a system error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc != 3) yubin::Usage("tcprules rules.cdb rules.tmp");
  return yubin::ExitWith(yubin::rules::CompileRules(0, argv[1], argv[2]));
}
