// tcprulescheck: says which rule and environment a connection would get.
//
//   TCPREMOTEIP=127.0.0.1 tcprulescheck tcp.smtp.cdb
//   tcprulescheck tcp.smtp.cdb 127.0.0.1 host.example.com joe
//
// The address comes from TCPREMOTEIP (default 0.0.0.0), TCPREMOTEHOST and
// TCPREMOTEINFO as in ucspi-tcp, or from the optional arguments ip, host,
// info, which override them. Exits 0, 100 on usage, 111 if the cdb cannot
// be read.
#include <cstdlib>
#include <optional>
#include <string>

#include "lib/base/command_line.h"
#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/rules/rules_lookup.h"

namespace {
constexpr char kHelp[] =
    "usage: tcprulescheck rules.cdb [ip [host [info]]]\n"
    "Prints the rule tcpserver would follow for a connection from ip (default\n"
    "$TCPREMOTEIP, else 0.0.0.0) with remote host name host ($TCPREMOTEHOST)\n"
    "and remote info ($TCPREMOTEINFO), and the variables it would set.\n"
    "Exits 0, 100 on usage, 111 if rules.cdb cannot be read.\n";

std::optional<std::string> FromArgOrEnv(int argc, char** argv, int index,
                                        const char* env) {
  if (index < argc) return std::string(argv[index]);
  if (const char* v = getenv(env)) return std::string(v);
  return std::nullopt;
}
}  // namespace

int main(int argc, char** argv) {
  yubin::SetProgramName(argv[0]);
  yubin::HandleHelp(argc, argv, kHelp);
  if (argc < 2 || argc > 5) yubin::Usage("tcprulescheck rules.cdb [ip [host [info]]]");
  yubin::rules::RuleQuery query{
      .ip = FromArgOrEnv(argc, argv, 2, "TCPREMOTEIP").value_or("0.0.0.0"),
      .host = FromArgOrEnv(argc, argv, 3, "TCPREMOTEHOST"),
      .info = FromArgOrEnv(argc, argv, 4, "TCPREMOTEINFO")};
  yubin::Result<std::string> report = yubin::rules::CheckRules(argv[1], query);
  if (!report.ok()) return yubin::ExitWith(report.status());
  return yubin::ExitWith(yubin::WriteAll(1, *report));
}
