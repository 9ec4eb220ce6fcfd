// tcpserver: accepts TCP connections and runs a program for each one.
//
//   tcpserver -v -x tcp.smtp.cdb -u 1001 -g 1001 -c 40 0 smtp yubin-smtpd
//
// ucspi-tcp 0.88's interface, plus -C (per-address concurrency) and -L
// (per-address connections per minute). Exits 100 on usage, 111 when it
// cannot bind, drop privileges or keep serving; runs until SIGTERM. The
// yubin-smtpd beside it runs in the forked child without an exec
// (ServerOptions::run_in_child) unless YUBIN_SMTPD_EXEC is set.
#include <sys/prctl.h>

#include <cstdlib>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/smtp/server.h"
#include "lib/tcpserver/options.h"
#include "lib/tcpserver/server.h"
#include "lib/tcpserver/sibling_program.h"

namespace {
constexpr char kHelp[] =
    "usage: tcpserver [-1UXpPhHrRoOdDqQv] [-c limit] [-x rules.cdb]\n"
    "  [-B banner] [-g gid] [-u uid] [-b backlog] [-l localname]\n"
    "  [-t timeout] [-C per-ip-limit] [-L per-ip-per-minute] [-m uses]\n"
    "  host port program...\n"
    "Accepts connections on host (0 = any IPv4, :: = any address) and port\n"
    "(number or service name) and runs program for each with the connection\n"
    "on fds 0 and 1 and PROTO, TCPLOCALIP, TCPLOCALPORT, TCPLOCALHOST,\n"
    "TCPREMOTEIP, TCPREMOTEPORT, TCPREMOTEHOST set, plus the variables of\n"
    "the matching rule in rules.cdb (see tcprules). No ident lookups are\n"
    "made: -r/-R/-t are accepted and TCPREMOTEINFO is never set.\n"
    "  -c N  at most N children (default 40); then stop accepting\n"
    "  -C N  at most N children per remote address (refused beyond)\n"
    "  -L N  at most N connections per remote address per minute\n"
    "  -x F  follow rules in cdb F, as it is at each connection; -X: allow\n"
    "        when F does not exist\n"
    "  -u/-g switch to uid/gid after binding; -U: take $UID and $GID\n"
    "  -v/-q/-Q verbose / quiet / errors only (default)\n"
    "  -h/-H look up (default) / do not look up the remote host name;\n"
    "  -p/-P paranoid / not; -l N use N as the local host name\n"
    "  -d/-D TCP delay (default) / TCP_NODELAY; -o/-O keep / kill IP options\n"
    "  -b N  listen backlog (default 256); -B S write S to each client first\n"
    "  -1    print the local port on stdout once bound\n"
    "When program is the yubin-smtpd installed beside tcpserver (the same\n"
    "file), its code runs in the forked child without an exec; set\n"
    "YUBIN_SMTPD_EXEC=1 to exec it for every connection instead.\n"
    "  -m N  let one process serve up to N such connections in turn\n"
    "        (default 1: a fresh process for each; see tcpserver(8))\n"
    "Exits 100 on usage, 111 when it cannot bind or drop privileges.\n";
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  yubin::Result<yubin::tcpserver::ServerOptions> options =
      yubin::tcpserver::ParseServerOptions(argc, argv);
  if (!options.ok()) {
    yubin::Warn(options.status().message());
    yubin::Usage(yubin::tcpserver::kUsage);
  }
  // The yubin-smtpd installed beside us runs in the forked child without
  // an exec, unless YUBIN_SMTPD_EXEC is set (then every connection gets a
  // fresh exec, and a fresh address space, as with ucspi-tcp).
  const char* exec_always = std::getenv("YUBIN_SMTPD_EXEC");
  if ((exec_always == nullptr || *exec_always == '\0') && options->program.size() == 1) {
    options->in_process_file = yubin::tcpserver::SiblingProgram("yubin-smtpd");
    options->run_in_child = [] {
      prctl(PR_SET_NAME, "yubin-smtpd");  // what ps -o comm and top show
      yubin::SetProgramName("yubin-smtpd");
      return yubin::smtp::RunSmtpd(0, 1);
    };
    options->prepare_in_parent = [] { yubin::smtp::PreloadSmtpdControl(); };
  }
  return yubin::ExitWith(yubin::tcpserver::RunServer(*options));
}
