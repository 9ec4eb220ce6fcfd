// account.h: looking up an account and becoming it (setuidgid, envuidgid).
//
//   Result<Account> a = LookupAccount("yubind");   // permanent if unknown
//   Status s = BecomeAccount(*a);   // setgroups, setgid, setuid, verified
//
// BecomeAccount drops privileges in a fixed order: supplementary groups set
// to just the account's gid, then the gid, then the uid; afterwards it
// checks real and effective ids and the group list, and that uid 0 cannot be
// regained, failing (temporary status) if anything does not match.
#ifndef YUBIN_LIB_CHAIN_ACCOUNT_H_
#define YUBIN_LIB_CHAIN_ACCOUNT_H_

#include <sys/types.h>

#include <string>

#include "lib/base/status.h"

namespace yubin::chain {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<Account> LookupAccount(const std::string& name);
Status BecomeAccount(const Account& account);

}  // namespace yubin::chain

#endif  // YUBIN_LIB_CHAIN_ACCOUNT_H_
