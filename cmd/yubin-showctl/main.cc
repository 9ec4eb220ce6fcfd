// yubin-showctl: every control setting with its value, default and source.
//
//   YUBIN_ROOT=/var/yubin yubin-showctl [-j]
//
// Exits 0, 100 on a usage error, 111 when a control file cannot be read
// or holds a value the programs would refuse (everything is still shown).
#include <cstring>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/qtools/commands.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-showctl [-j]\n"
    "Shows every control file of $YUBIN_ROOT/control (default\n"
    "/var/yubin/control) that yubin knows: the value in effect, whether it is\n"
    "the default, where it came from (the file, the default, or an\n"
    "environment variable such as DATABYTES), the default and the meaning;\n"
    "then the files there that yubin does not read.\n"
    "  -j   the same as one JSON object\n"
    "Exits 0, 100 on a usage error, 111 when a control file is unreadable or\n"
    "malformed (a warning on stderr names it; everything is still shown).\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  bool json = false;
  if (argc == 2 && std::strcmp(argv[1], "-j") == 0) {
    json = true;
  } else if (argc > 1) {
    yubin::Usage("yubin-showctl [-j]");
  }
  return yubin::qtools::RunShowctl(yubin::YubinRoot(), json, 1);
}
