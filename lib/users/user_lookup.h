// user_lookup.h: which account receives mail for a local part.
//
//   UserLookup lookup(UserLookupConfig::ForRoot("/var/yubin"));
//   Result<LocalUser> u = lookup.Find("kim-list-bugs");
//   // u->user "kim", u->home "/home/kim", u->dash "-", u->ext "list-bugs"
//
// Order (qmail's, local part lowercased first):
//  1. ROOT/users/assign.cdb (built by yubin-newu): an exact `=` entry, else
//     the `+` wildcard with the longest matching prefix.
//  2. The password database: the longest '-'-separated prefix of the local
//     part that names an account with uid != 0 whose home directory exists
//     and is owned by that uid; the rest after the '-' is the extension.
//  3. The alias account with the whole local part as extension: home
//     ROOT/alias, uid and gid of that directory's owner (which must not be
//     root), user name "alias". So mail to root, bin, sys (root-owned homes)
//     lands in ROOT/alias/.qmail-root, .qmail-bin, ... or .qmail-default.
// In non-root mode (the caller is not root) only accounts whose home
// directory the running user owns qualify in step 2; an assign entry or the
// alias directory owned by someone else is a temporary failure, since no
// delivery could run as that user.
// Failures: temporary when a file cannot be read or the alias directory is
// missing or owned by root; never permanent (a local part always maps to
// the alias account at worst; whether it has a mailbox is HasMailbox's job).
#ifndef YUBIN_LIB_USERS_USER_LOOKUP_H_
#define YUBIN_LIB_USERS_USER_LOOKUP_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::users {

inline constexpr char kAliasUser[] = "alias";
inline constexpr size_t kMaxLocalPart = 1003;

struct LocalUser {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string dash;  // "" when ext is empty, else "-" (assign: as written)
  std::string ext;
  enum class Source { kAssign, kPasswd, kAlias } source = Source::kPasswd;
};

struct PasswdAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

struct UserLookupConfig {
  std::string root;               // YUBIN_ROOT
  bool non_root_mode = false;     // only homes owned by running_uid qualify
  uid_t running_uid = 0;
  // The password database; default getpwnam_r.
  std::function<std::optional<PasswdAccount>(const std::string& name)> passwd;
  // Owner of a directory (nullopt: missing or not a directory); default stat.
  std::function<std::optional<std::pair<uid_t, gid_t>>(const std::string& path)> owner;

  // Real password database and file system; non-root mode when geteuid() != 0.
  static UserLookupConfig ForRoot(std::string root);
  // For a program that only checks addresses on behalf of the delivery
  // service, like the SMTP server running as its own unprivileged user:
  // non-root mode only when this installation runs as the current user
  // (ROOT/queue owned by geteuid(), as after tools/install --user-mode),
  // because that is when deliveries run without root.
  static UserLookupConfig ForChecker(std::string root);
};

class UserLookup {
 public:
  explicit UserLookup(UserLookupConfig config);
  Result<LocalUser> Find(std::string_view local) const;

 private:
  UserLookupConfig config_;
};

// Whether a local address has a mailbox: its account's .qmail for the
// extension (or a -default one), or, with no extension, the account itself
// (no .qmail means default delivery). For the SMTP server's RCPT check:
// false -> 550 5.1.1. Temporary when it cannot tell (unreadable directory);
// the SMTP server should then accept and let delivery decide.
Result<bool> HasMailbox(const UserLookup& lookup, std::string_view local);

}  // namespace yubin::users

#endif  // YUBIN_LIB_USERS_USER_LOOKUP_H_
