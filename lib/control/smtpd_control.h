// smtpd_control.h: the control files yubin-smtpd reads at each connection.
//
//   Result<SmtpdControl> c = LoadSmtpdControl(YubinRoot() + "/control",
//                                             getenv("DATABYTES"));
//   if (!c.ok()) ...                       // temporary: answer 421
//   if (c->AcceptsDomain("example.com")) ...
//
// Defaults are in docs/control.md. A missing file takes its default; an
// unreadable or malformed one is an error (the server then refuses service
// with a temporary code rather than guess). Unlike qmail, a missing rcpthosts
// never makes an open relay: only the domains in locals are accepted.
#ifndef YUBIN_LIB_CONTROL_SMTPD_CONTROL_H_
#define YUBIN_LIB_CONTROL_SMTPD_CONTROL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::control {

inline constexpr uint64_t kDefaultDatabytes = 26214400;  // 25 MiB
inline constexpr uint64_t kDefaultTimeoutSmtpd = 1200;   // seconds
inline constexpr uint64_t kMaxTimeoutSmtpd = 86400;
inline constexpr uint64_t kDefaultMaxRcpt = 100;
inline constexpr uint64_t kMaxMaxRcpt = 100000;
inline constexpr uint64_t kMaxDatabytes = uint64_t{1} << 40;

struct SmtpdControl {
  std::string me;           // this host's name
  std::string greeting;     // text after "220 "
  std::string localiphost;  // name for [TCPLOCALIP] in recipients
  // rcpthosts entries, lowercased; nullopt when the file is missing.
  std::optional<std::set<std::string>> rcpthosts;
  std::string morercpthosts_cdb;  // path; looked up only if it exists
  std::set<std::string> locals;   // lowercased
  std::set<std::string> badmailfrom;  // lowercased, "a@b" or "@b"
  uint64_t databytes = kDefaultDatabytes;  // 0 = no limit
  uint64_t timeout_seconds = kDefaultTimeoutSmtpd;
  uint64_t maxrcpt = kDefaultMaxRcpt;

  // True when mail for this domain (lowercase or not) may be accepted from
  // a client that may not relay: rcpthosts (an entry ".d" also matches every
  // name ending in ".d") and morercpthosts.cdb; with no rcpthosts, locals.
  bool AcceptsDomain(std::string_view domain) const;
  bool IsLocal(std::string_view domain) const;
  // "user@domain" (or "" for the null sender) against badmailfrom.
  bool IsBadMailFrom(std::string_view address) const;
};

// Reads control_dir/{me,rcpthosts,...}. databytes_env is $DATABYTES (or
// nullptr); when set it overrides control/databytes. hostname is the default
// for me (the caller passes gethostname()).
Result<SmtpdControl> LoadSmtpdControl(const std::string& control_dir,
                                      const char* databytes_env,
                                      std::string_view hostname);
// The $DATABYTES override alone (nullptr: none), for a copy loaded before.
Status ApplyDatabytesEnv(const char* databytes_env, SmtpdControl* control);

std::string AsciiLower(std::string_view s);

}  // namespace yubin::control

#endif  // YUBIN_LIB_CONTROL_SMTPD_CONTROL_H_
