// envdir_file.h: what one file of an envdir directory does to the environment.
//
//   std::optional<std::string> v = EnvdirValue("hello \t\nignored\n");
//   // v == "hello": set the variable; nullopt (empty file): remove it
//   Result<std::vector<EnvChange>> changes = ReadEnvDir("/service/smtpd/env");
//   Status s = ApplyEnvChanges(*changes);
//
// daemontools' rules: the value is the file's first line; spaces and tabs at
// its end are removed; NUL bytes become newlines; a completely empty file
// removes the variable. Files whose names start with "." are skipped. Only
// the first kMaxEnvFileBytes of a file are read, so a huge file cannot grow
// memory; a file name with "=" is a permanent error, an unreadable file or
// directory a temporary one.
#ifndef YUBIN_LIB_CHAIN_ENVDIR_FILE_H_
#define YUBIN_LIB_CHAIN_ENVDIR_FILE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::chain {

inline constexpr size_t kMaxEnvFileBytes = 128 * 1024;
inline constexpr size_t kMaxEnvFiles = 10000;

std::optional<std::string> EnvdirValue(std::string_view content);

struct EnvChange {
  std::string name;
  std::optional<std::string> value;  // nullopt: remove
  friend bool operator==(const EnvChange&, const EnvChange&) = default;
};

// Changes in name order.
Result<std::vector<EnvChange>> ReadEnvDir(const std::string& dir);
Status ApplyEnvChanges(const std::vector<EnvChange>& changes);

}  // namespace yubin::chain

#endif  // YUBIN_LIB_CHAIN_ENVDIR_FILE_H_
