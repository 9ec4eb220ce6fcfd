// yubinctl: start, stop and inspect a yubin tree (see lib/ctl/yubinctl.h).
//
//   yubinctl start
//   yubinctl --root ~/yubin/root status
#include <unistd.h>

#include <climits>
#include <string>
#include <vector>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/ctl/yubinctl.h"

namespace {
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
  yubin::HandleHelp(argc, argv, yubin::ctl::kYubinctlHelp);
  yubin::ctl::CtlOptions o;
  o.root = yubin::YubinRoot();
  o.bindir = OwnDirectory();
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--root" && i + 1 < argc) {
      o.root = argv[++i];
    } else if (arg.rfind("--root=", 0) == 0) {
      o.root = arg.substr(7);
    } else {
      break;
    }
  }
  while (o.root.size() > 1 && o.root.back() == '/') o.root.pop_back();
  return yubin::ctl::RunYubinctl(o, std::vector<std::string>(argv + i, argv + argc));
}
