// rules_lookup.h: which rule a connection gets, in tcpserver's order.
//
//   UniqueFd fd(open("tcp.smtp.cdb", O_RDONLY | O_CLOEXEC));
//   Result<RuleMatch> m = LookupRules(fd.get(), {.ip = "127.0.0.1"});
//   if (m.ok() && m->decision.deny) close the connection;
//   for (auto& [name, value] : m->decision.env) setenv(...);
//
// Keys are tried in ucspi-tcp 0.88's order, the first one present wins:
//   1. info@ip            (when info is known)
//   2. info@=host         (when info and host are known)
//   3. ip
//   4. =host              (when host is known)
//   5. ip prefixes ending in '.' (IPv4) or ':' (expanded IPv6), longest first
//   6. =.suffix of host, longest first, then "="   (when host is known)
//   7. ""                 (the default rule)
// No key at all means allow with no variables. IPv6 addresses are looked up
// in their expanded spelling (ip_key.h). A cdb that cannot be read is a
// temporary error; the caller decides (tcpserver drops the connection).
#ifndef YUBIN_LIB_RULES_RULES_LOOKUP_H_
#define YUBIN_LIB_RULES_RULES_LOOKUP_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/status.h"

struct cdb;  // tinycdb's handle of an open cdb

namespace yubin::rules {

struct RuleQuery {
  std::string ip;                   // as in TCPREMOTEIP
  std::optional<std::string> host;  // TCPREMOTEHOST, when known
  std::optional<std::string> info;  // TCPREMOTEINFO, when known
};

// What a rule's data says: deny or allow, and variables in order.
struct RuleDecision {
  bool deny = false;
  std::vector<std::pair<std::string, std::string>> env;
};

struct RuleMatch {
  bool found = false;  // false: no rule matched (allow)
  std::string key;     // the rule's address as stored in the cdb
  std::string data;    // the rule's data as stored in the cdb
  RuleDecision decision;
};

// Reads the NUL-separated data of a rule as tcpserver does: "D" denies,
// "+VAR=value" sets a variable, anything else (and a "+" item without '=')
// is ignored, as is a last item without its NUL.
RuleDecision DecodeRuleData(std::string_view data);

// The keys tried for query, in order (see above).
std::vector<std::string> LookupKeys(const RuleQuery& query);

// Looks query up in the cdb open at fd.
Result<RuleMatch> LookupRules(int fd, const RuleQuery& query);

// Looks query up in a cdb tinycdb has open (cdb_init) already.
Result<RuleMatch> LookupRulesIn(struct cdb* db, const RuleQuery& query);

// tcprulescheck's report, in ucspi-tcp's words: "rule KEY:" (or "default:")
// then "set environment variable VAR=value" lines in data order, ending at
// "deny connection" or "allow connection".
std::string DescribeRuleMatch(const RuleMatch& match);

// tcprulescheck: opens cdb_path, looks query up, describes the result.
Result<std::string> CheckRules(const std::string& cdb_path,
                               const RuleQuery& query);

}  // namespace yubin::rules

#endif  // YUBIN_LIB_RULES_RULES_LOOKUP_H_
