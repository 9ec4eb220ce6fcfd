// yubin-mktree: installs the service tree, alias home and boot files into a
// yubin root (see lib/setup/service_tree.h).
//
//   yubin-mktree --root /var/yubin --port 25
//   yubin-mktree --root ~/yubin --user-mode --port 2525 --address 127.0.0.1
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/control/control_file.h"
#include "lib/setup/service_tree.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-mktree [--root ROOT] [--user-mode] [--port N] [--address A]\n"
    "                    [--concurrency N] [--admin ADDRESS] [--bindir DIR]\n"
    "                    [--templates DIR] [--etc DIR]\n"
    "Installs ROOT/service/{smtpd,send,local} (each with log/), ROOT/log,\n"
    "control/defaultdelivery, control/tcp.smtp (compiled with tcprules), the\n"
    "alias home ROOT/alias and the boot files (yubin.service, init.d/yubin)\n"
    "into ETC (default /etc, ROOT/etc in user mode). Run yubin-mkroot first.\n"
    "Defaults: ROOT $YUBIN_ROOT or /var/yubin; port 25; address 0 (all);\n"
    "concurrency 40; admin: root's mail stays in ROOT/alias/Maildir; bindir:\n"
    "this program's directory; templates: BINDIR/../share/yubin/services.\n"
    "Files the administrator edits are written only when missing.\n"
    "Exit codes: 0 done; 100 usage, not root without --user-mode, missing\n"
    "accounts or not a yubin root; 111 system error.\n";

std::string OwnDirectory() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::setup::TreeOptions o;
  o.root = yubin::YubinRoot();
  o.bindir = OwnDirectory();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--user-mode") {
      o.user_mode = true;
      continue;
    }
    if (i + 1 >= argc) yubin::Usage(kHelp);
    std::string value = argv[++i];
    if (arg == "--root") {
      o.root = value;
    } else if (arg == "--port" || arg == "--concurrency") {
      auto n = yubin::control::ParseDecimal(value, 65535);
      if (!n || *n == 0) yubin::Usage(kHelp);
      (arg == "--port" ? o.port : o.concurrency) = static_cast<int>(*n);
    } else if (arg == "--address") {
      o.address = value;
    } else if (arg == "--admin") {
      o.admin = value;
    } else if (arg == "--bindir") {
      o.bindir = value;
    } else if (arg == "--templates") {
      o.templates = value;
    } else if (arg == "--etc") {
      o.etc = value;
    } else {
      yubin::Usage(kHelp);
    }
  }
  if (o.templates.empty()) o.templates = o.bindir + "/../share/yubin/services";
  std::vector<std::string> notes;
  yubin::Status s = yubin::setup::MakeServiceTree(o, &notes);
  for (const std::string& note : notes) yubin::Warn(note);
  return yubin::ExitWith(s);
}
