// inject_defaults.h: who is sending, and the names that fill in addresses.
//
//   Result<InjectDefaults> d = LoadInjectDefaults(
//       YubinRoot() + "/control", std::getenv, CurrentSystemUser());
//   // d->default_host "mail.example.com", d->user "joe", d->full_name "Joe Bloggs"
//
// Control files (first line, trimmed): defaulthost (for "joe" -> joe@HOST),
// defaultdomain (for "joe@box" -> joe@box.DOMAIN), each falling back to `me`,
// and `me` to the host name. The environment overrides them as qmail-inject's
// does: QMAILDEFAULTHOST, QMAILDEFAULTDOMAIN; From: uses QMAILUSER or
// MAILUSER (else the login name), QMAILHOST or MAILHOST (else defaulthost),
// QMAILNAME, MAILNAME or NAME (else the gecos name); the envelope sender is
// QMAILSUSER@QMAILSHOST, each falling back to the From: user and host.
// Fails (temporary) when a control file exists but cannot be read.
#ifndef YUBIN_LIB_INJECT_INJECT_DEFAULTS_H_
#define YUBIN_LIB_INJECT_INJECT_DEFAULTS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::inject {

inline constexpr size_t kMaxControlFileBytes = 4096;
inline constexpr size_t kMaxFullNameBytes = 256;

struct SystemUser {
  std::string login;  // pw_name
  std::string gecos;  // pw_gecos
};

// The user running this process (getpwuid(getuid())); the login is the uid
// in decimal when the user has no passwd entry.
SystemUser CurrentSystemUser();

struct InjectDefaults {
  std::string default_host;
  std::string default_domain;
  std::string user;       // From: local part
  std::string from_host;  // From: domain
  std::string full_name;  // From: display name, may be empty
  std::string sender_user;
  std::string sender_host;
};

using GetEnvFunction = char* (*)(const char*);

Result<InjectDefaults> LoadInjectDefaults(const std::string& control_dir,
                                          GetEnvFunction get_env,
                                          const SystemUser& system_user);

// The person's name from a gecos field: up to the first comma, '&' as the
// capitalised login (BSD convention).
std::string NameFromGecos(std::string_view gecos, std::string_view login);

// Control characters (a newline would start a new header field) become
// spaces; the result is cut to kMaxFullNameBytes.
std::string SanitizeFullName(std::string_view name);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_INJECT_DEFAULTS_H_
