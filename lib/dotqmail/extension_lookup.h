// extension_lookup.h: which .qmail file handles an address extension.
//
//   Result<DotQmailChoice> r = FindDotQmail("/home/kim", "-", "list-bugs");
//   // tries .qmail-list-bugs, .qmail-list-default (DEFAULT=bugs),
//   // .qmail-default (DEFAULT=list-bugs)
//
// In the extension '.' becomes ':' and letters are lowercased before the
// names are built. With an empty extension the only candidate is `.qmail`, and its absence means "default delivery" (found = false).
// With an extension and no file, the answer is the permanent failure
// "Sorry, no mailbox here by that name. (#5.1.1)"; an extension holding '/'
// gets the same answer. Any other stat(2) error is a temporary failure.
#ifndef YUBIN_LIB_DOTQMAIL_EXTENSION_LOOKUP_H_
#define YUBIN_LIB_DOTQMAIL_EXTENSION_LOOKUP_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::dotqmail {

inline constexpr char kNoMailbox[] = "Sorry, no mailbox here by that name. (#5.1.1)";

struct DotQmailCandidate {
  std::string name;                         // ".qmail-list-default"
  std::optional<std::string> default_part;  // $DEFAULT if this one matches
};

struct DotQmailChoice {
  bool found = false;
  std::string path;                         // home + "/" + name when found
  std::optional<std::string> default_part;
};

// The extension as it appears in file names: '.' -> ':', lowercase.
std::string FileNameExtension(std::string_view ext);

// The names to try, in order (pure; no file system access).
std::vector<DotQmailCandidate> DotQmailCandidates(std::string_view dash,
                                                  std::string_view ext);

Result<DotQmailChoice> FindDotQmail(const std::string& home,
                                    std::string_view dash, std::string_view ext);

}  // namespace yubin::dotqmail

#endif  // YUBIN_LIB_DOTQMAIL_EXTENSION_LOOKUP_H_
