// doctor.h: checks a yubin root for the mistakes that lose or misroute mail,
// for `yubinctl doctor`.
//
//   std::vector<Finding> f = RunDoctor("/var/yubin");
//   std::fputs(FormatFindings(f).c_str(), stdout);
//   return CountProblems(f) == 0 ? 0 : 1;
//
// Checks: control files (me, rcpthosts, locals, defaultdelivery), DNS and
// host name sanity (me resolves, a name server is configured), open-relay
// risk in control/tcp.smtp (RELAYCLIENT for everyone is a problem, for
// other than loopback a warning) and whether tcp.smtp.cdb is compiled and
// current, permissions (queue 0700 and its owner, control files not
// writable by others, the alias home), and that every service has an
// executable run script and is healthy. Each finding says what to fix.
// Never fails: what cannot be checked is itself a finding.
#ifndef YUBIN_LIB_CTL_DOCTOR_H_
#define YUBIN_LIB_CTL_DOCTOR_H_

#include <string>
#include <string_view>
#include <vector>

namespace yubin::ctl {

enum class Severity { kOk, kWarning, kProblem };

struct Finding {
  Severity severity;
  std::string what;
  std::string fix;  // empty for kOk
};

// The relaying a tcprules source allows: for each rule line that sets
// RELAYCLIENT, a finding (problem for an empty address part, i.e. every
// client; warning for anything but 127. and ::1; ok for loopback).
std::vector<Finding> CheckRelayRules(std::string_view rules_source);

std::vector<Finding> RunDoctor(const std::string& root);

// "ok       ...", "WARNING  ...\n         fix: ...", "PROBLEM  ...".
std::string FormatFindings(const std::vector<Finding>& findings);

int CountProblems(const std::vector<Finding>& findings);

}  // namespace yubin::ctl

#endif  // YUBIN_LIB_CTL_DOCTOR_H_
