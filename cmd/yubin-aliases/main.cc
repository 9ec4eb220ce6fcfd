// yubin-aliases: converts sendmail's /etc/aliases into ~alias/.qmail-NAME.
//
//   yubin-aliases --dry-run                 # show the plan
//   yubin-aliases [/etc/aliases [ROOT/alias]]
//
// Exit 0 everything converted, 100 some aliases could not be converted (the
// others are written; the report says which and why) or usage, 111 system
// error. See yubin-aliases(8).
#include <string>
#include <vector>

#include "lib/aliases/aliases_convert.h"
#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/base/yubin_root.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-aliases [--dry-run] [--force] [aliases-file [alias-dir]]\n"
    "Converts a sendmail aliases file (default /etc/aliases) into .qmail-NAME\n"
    "files in alias-dir (default $YUBIN_ROOT/alias, /var/yubin/alias).\n"
    "--dry-run prints the plan and writes nothing; --force replaces existing\n"
    "files. Aliases that cannot be converted are listed as 'not converted'.\n"
    "Exit 0 all converted, 100 some not converted or usage, 111 system error.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  std::string out;
  int code = yubin::aliases::RunAliasesCommand(std::vector<std::string>(argv + 1, argv + argc),
                                               yubin::YubinRoot(), &out);
  if (!yubin::WriteAll(1, out).ok()) return yubin::kExitTemporary;
  return code;
}
