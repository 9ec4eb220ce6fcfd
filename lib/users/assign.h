// assign.h: the users/assign file (qmail's format) and its compiled cdb.
//
//   Result<std::vector<AssignEntry>> r = ParseAssign(
//       "=kim:kim:1001:1001:/home/kim:::\n"
//       "+list-:lists:1002:1002:/srv/lists:-:ml-:\n"
//       ".\n");
//   Status s = WriteAssignCdb(*r, "/var/yubin/users/assign.cdb");
//   Result<std::optional<AssignMatch>> m =
//       LookupAssignCdb("/var/yubin/users/assign.cdb", "list-bugs");
//   // m->user = "lists", m->ext = "ml-bugs"
//
// Lines: `=local:user:uid:gid:home:dash:ext:` (exact address) and
// `+prefix:user:uid:gid:home:dash:prepend:` (every local part starting with
// prefix; ext = prepend + the rest). The file ends with a line holding a
// single '.'; a file without it is refused (it was cut short). Lines starting
// with '#' and blank lines are ignored. Local parts and prefixes are
// lowercased. Limits kMaxAssignLine and kMaxAssignEntries; errors name the
// line and are permanent (fix the file, then run yubin-newu again).
// Lookup: the exact entry first, else the wildcard with the longest prefix.
// A missing cdb means "no entries"; other read errors are temporary.
#ifndef YUBIN_LIB_USERS_ASSIGN_H_
#define YUBIN_LIB_USERS_ASSIGN_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::users {

inline constexpr size_t kMaxAssignLine = 2048;
inline constexpr size_t kMaxAssignEntries = 1000000;
inline constexpr size_t kMaxAssignFileBytes = 64 << 20;

struct AssignEntry {
  bool wildcard = false;
  std::string local;  // exact local part, or the wildcard's prefix
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string dash;
  std::string ext;  // exact: the extension; wildcard: the prepend
  bool operator==(const AssignEntry&) const = default;
};

struct AssignMatch {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string dash;
  std::string ext;  // for a wildcard: prepend + rest of the local part
};

Result<std::vector<AssignEntry>> ParseAssign(std::string_view text);

// The cdb record for an entry: key and value as stored.
std::string AssignCdbKey(const AssignEntry& entry);
std::string AssignCdbValue(const AssignEntry& entry);

// Builds the cdb in path + ".tmp", then fsync, rename, fsync directory.
Status WriteAssignCdb(const std::vector<AssignEntry>& entries,
                      const std::string& path);

// yubin-newu: ROOT/users/assign -> ROOT/users/assign.cdb. On success
// *count is the number of entries written.
Status CompileAssign(const std::string& root, size_t* count);

Result<std::optional<AssignMatch>> LookupAssignCdb(const std::string& path,
                                                   std::string_view local);

}  // namespace yubin::users

#endif  // YUBIN_LIB_USERS_ASSIGN_H_
