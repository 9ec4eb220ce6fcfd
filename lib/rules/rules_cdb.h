// rules_cdb.h: compiling rules into a cdb, as tcprules does.
//
//   Status s = CompileRules(0, "tcp.smtp.cdb", "tcp.smtp.tmp");
//   if (!s.ok()) ...   // permanent: a bad line (with its number);
//                      // temporary: the tmp file or the rename failed
//
// Reads the rules text from in_fd, parses all of it first, writes the
// records with tinycdb into tmp_path (created or truncated), then publishes
// it with CommitFile: fsync, rename onto cdb_path, fsync the directory. On
// any error the old cdb is left as it was and tmp_path is removed. The
// input is bounded by kMaxRulesInputBytes.
#ifndef YUBIN_LIB_RULES_RULES_CDB_H_
#define YUBIN_LIB_RULES_RULES_CDB_H_

#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/rules/rules_parser.h"

namespace yubin::rules {

// A rules file larger than this is refused (a cdb holds at most 4 GiB).
inline constexpr size_t kMaxRulesInputBytes = size_t{256} << 20;

// Writes records (in order; duplicates kept, the first one wins at lookup)
// as a cdb at tmp_path and renames it onto cdb_path durably.
Status WriteRulesCdb(const std::vector<RuleRecord>& records,
                     const std::string& cdb_path, const std::string& tmp_path);

// tcprules: parse everything from in_fd, then WriteRulesCdb.
Status CompileRules(int in_fd, const std::string& cdb_path,
                    const std::string& tmp_path);

}  // namespace yubin::rules

#endif  // YUBIN_LIB_RULES_RULES_CDB_H_
