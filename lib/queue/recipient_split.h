// recipient_split.h: which recipients are local, and under what name.
//
//   RecipientRules rules{.locals = {"example.com"},
//                        .virtualdomains = {{"lists.example.com", "ml"}}};
//   SplitRecipient(rules, "kim@Example.COM")     -> local  "kim"    @ "example.com"
//   SplitRecipient(rules, "bugs@lists.example.com") -> local "ml-bugs" @ "lists.example.com"
//   SplitRecipient(rules, "a@elsewhere.org")      -> remote "a@elsewhere.org"
//
// The rules are qmail-send's: the domain (lowercased) in `locals` makes the
// address local as it is. Otherwise `virtualdomains` is searched in this
// order: the whole address `user@domain`, the domain, each `.suffix` of the
// domain from the longest, then the catch-all entry (empty key, the line
// `:prepend`). A match with a non-empty prepend makes the address local with
// local part `prepend-user`; an empty prepend means "not virtual" (remote),
// which lets a line like `mail.example.com:` exempt a host from a wider
// `.example.com:x` entry. An address without '@' is local at its own name.
// Parsing control lines never fails: a line without ':' is ignored.
#ifndef YUBIN_LIB_QUEUE_RECIPIENT_SPLIT_H_
#define YUBIN_LIB_QUEUE_RECIPIENT_SPLIT_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace yubin::queue {

struct RecipientRules {
  std::set<std::string> locals;                     // lowercased domains
  std::map<std::string, std::string> virtualdomains;  // key (lowercased) -> prepend
};

// Builds rules from the lines of control/locals and control/virtualdomains.
RecipientRules MakeRecipientRules(const std::vector<std::string>& locals,
                                  const std::vector<std::string>& virtualdomains);

struct SplitResult {
  bool local = false;
  std::string local_part;  // local only: what yubin-local gets as "local"
  std::string domain;      // local only: lowercased domain
};

SplitResult SplitRecipient(const RecipientRules& rules, std::string_view address);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_RECIPIENT_SPLIT_H_
