// yubin-mkroot: lays out a working yubin root (control defaults and queue).
//
//   yubin-mkroot --root /var/yubin              # as root
//   yubin-mkroot --root ~/yubin --user-mode     # owned by the caller
//
// Safe to run again: existing control files and queued mail are kept.
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/setup/root_layout.h"

namespace {
constexpr char kHelp[] =
    "usage: yubin-mkroot [--root ROOT] [--user-mode] [--me HOSTNAME]\n"
    "Creates ROOT (default $YUBIN_ROOT, else /var/yubin) with control/me,\n"
    "control/rcpthosts and control/locals (this host's name, unless\n"
    "present) and the queue directories. --user-mode: everything belongs to\n"
    "the calling user; otherwise run as root, and the queue is given to the\n"
    "user yubinq if it exists. --me: the host name to write instead of\n"
    "this host's. Exit codes: 0 done; 100 usage or not root without\n"
    "--user-mode; 111 system error.\n";
constexpr char kUsage[] = "yubin-mkroot [--root ROOT] [--user-mode] [--me HOSTNAME]";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::setup::RootOptions options;
  options.root = yubin::YubinRoot();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--user-mode") {
      options.user_mode = true;
    } else if ((arg == "--root" || arg == "--me") && i + 1 < argc) {
      (arg == "--root" ? options.root : options.me) = argv[++i];
    } else if (arg.rfind("--root=", 0) == 0) {
      options.root = arg.substr(std::strlen("--root="));
    } else if (arg.rfind("--me=", 0) == 0) {
      options.me = arg.substr(std::strlen("--me="));
    } else {
      yubin::Usage(kUsage);
    }
  }
  std::vector<std::string> notes;
  yubin::Status s = yubin::setup::MakeRoot(options, &notes);
  for (const std::string& note : notes) yubin::Warn(note);
  return yubin::ExitWith(s);
}
