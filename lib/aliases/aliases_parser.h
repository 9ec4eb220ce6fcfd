// aliases_parser.h: sendmail's /etc/aliases format.
//
//   Result<AliasesFile> r = ParseAliases("root: kim, |/usr/bin/log\n");
//   // r->entries[0].name == "root", targets {kAddress "kim"}, {kProgram ...}
//
// An entry is `name: target, target, ...`; a line starting with a blank or
// tab continues the previous entry; lines starting with '#' and blank lines
// are ignored. Targets are split on commas outside double quotes, trimmed
// and unquoted, then classified: `|command` program, `/path` file,
// `:include:/path` include, `\user` local user, `error:...` error, anything
// else an address. A line that is not an entry (no ':') is kept in
// `problems` with its number rather than failing the whole file.
// Limits: kMaxAliasesBytes, kMaxAliasEntryBytes, kMaxAliasEntries; going
// over them fails (permanent).
#ifndef YUBIN_LIB_ALIASES_ALIASES_PARSER_H_
#define YUBIN_LIB_ALIASES_ALIASES_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::aliases {

inline constexpr size_t kMaxAliasesBytes = 16 << 20;
inline constexpr size_t kMaxAliasEntryBytes = 65536;
inline constexpr size_t kMaxAliasEntries = 100000;

enum class TargetKind { kAddress, kProgram, kFile, kInclude, kLocalUser, kError };

struct AliasTarget {
  TargetKind kind;
  std::string value;  // without the '|', ':include:', '\' prefixes
  bool operator==(const AliasTarget&) const = default;
};

struct AliasEntry {
  std::string name;
  std::vector<AliasTarget> targets;
  size_t line = 0;  // where the entry starts
};

struct AliasesFile {
  std::vector<AliasEntry> entries;
  std::vector<std::string> problems;  // "line N: why"
};

Result<AliasesFile> ParseAliases(std::string_view text);

// Splits and classifies a target list (also used for :include: files,
// where newlines separate targets like commas).
std::vector<AliasTarget> ParseTargetList(std::string_view list);

}  // namespace yubin::aliases

#endif  // YUBIN_LIB_ALIASES_ALIASES_PARSER_H_
