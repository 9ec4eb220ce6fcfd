// aliases_convert.h: sendmail aliases -> ~alias/.qmail-NAME files.
//
//   Result<AliasesFile> parsed = ParseAliases(text);
//   ConversionPlan plan = PlanConversion(*parsed, {.alias_dir = root + "/alias"});
//   std::string report = DescribePlan(plan);         // --dry-run
//   Status s = ApplyConversion(plan, &report);       // writes the files
//
// Each alias NAME becomes ALIAS_DIR/.qmail-name (lowercased, '.' -> ':'):
// an address -> `&address`, `|cmd` -> `|cmd`, `/file` -> `/file` (mbox),
// `/dev/null` -> `#` (discard), `:include:/path` -> the addresses in that
// file expanded now (the report says so: rerun after editing it),
// `\user` -> `&user`. Not convertible (reported, no file written for that
// alias): `error:` targets, nested includes, unreadable includes, `\NAME`
// pointing at the alias itself, addresses with blanks or angle brackets,
// duplicate names, names with '/'. An existing .qmail-NAME is left alone
// unless `force`. Files are written durably (WriteFileDurably, mode 0600)
// and, when running as root, given to the owner of the alias directory.
#ifndef YUBIN_LIB_ALIASES_ALIASES_CONVERT_H_
#define YUBIN_LIB_ALIASES_ALIASES_CONVERT_H_

#include <functional>
#include <string>
#include <vector>

#include "lib/aliases/aliases_parser.h"
#include "lib/base/status.h"

namespace yubin::aliases {

inline constexpr size_t kMaxIncludeBytes = 1 << 20;

struct ConvertOptions {
  std::string alias_dir;
  bool force = false;
  // Reads an :include: file; default: ReadSmallFile with kMaxIncludeBytes.
  std::function<Result<std::string>(const std::string& path)> read_include;
};

struct PlannedFile {
  std::string alias;
  std::string path;
  std::string content;
  std::vector<std::string> notes;
};

struct ConversionPlan {
  std::vector<PlannedFile> files;
  std::vector<std::string> problems;  // what could not be converted
  std::vector<std::string> skipped;   // existing files left alone
};

// ".qmail-" + name lowercased with '.' -> ':'.
std::string DotQmailNameFor(std::string_view alias);

ConversionPlan PlanConversion(const AliasesFile& file, const ConvertOptions& options);

// Human-readable plan: every file with its content, then skips and problems.
std::string DescribePlan(const ConversionPlan& plan);

// Writes every planned file; appends "wrote PATH" lines to *report.
Status ApplyConversion(const ConversionPlan& plan, std::string* report);

// yubin-aliases [--dry-run] [--force] [ALIASES_FILE [ALIAS_DIR]]:
// returns the exit code (0 all converted, 100 something not converted or
// usage, 111 system error); the report goes to *out.
int RunAliasesCommand(const std::vector<std::string>& args, const std::string& root,
                      std::string* out);

}  // namespace yubin::aliases

#endif  // YUBIN_LIB_ALIASES_ALIASES_CONVERT_H_
