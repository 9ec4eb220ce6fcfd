// script.h: multilog's script language, parsed once at start-up.
//
//   Result<Script> s = ParseScript({"t", "-*", "+* fatal: *", "s1000000", "./main"});
//   if (!s.ok()) Fatal(ExitCodeFor(s.status()), s.status().message());
//
// Actions, read left to right: t (first only), +pattern, -pattern, e,
// =file, sSIZE (4096..16777215), nNUM (>= 2), !processor, and a log
// directory (an argument starting with '.' or '/'). Settings s, n and ! apply
// to the directories after them. Anything else, or a setting out of range,
// is a permanent error whose message names the argument. The parser is
// bounded: at most kMaxActions arguments of at most kMaxArgumentBytes each.
#ifndef YUBIN_LIB_MULTILOG_SCRIPT_H_
#define YUBIN_LIB_MULTILOG_SCRIPT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::multilog {

inline constexpr size_t kMinFileSize = 4096;
inline constexpr size_t kMaxFileSize = 16777215;
inline constexpr size_t kDefaultFileSize = 99999;
inline constexpr size_t kMinFileCount = 2;
inline constexpr size_t kDefaultFileCount = 10;
inline constexpr size_t kMaxActions = 10000;
inline constexpr size_t kMaxArgumentBytes = 65536;

enum class ActionKind { kSelect, kDeselect, kAlert, kStatusFile, kDirectory };

struct Action {
  ActionKind kind;
  std::string text;  // pattern, status file name or directory path
  size_t dir_index = 0;  // kDirectory: index into Script::directories
};

struct DirectorySettings {
  std::string path;
  size_t max_size = kDefaultFileSize;
  size_t max_files = kDefaultFileCount;
  std::string processor;  // empty: none
};

struct Script {
  bool timestamp = false;
  std::vector<Action> actions;
  std::vector<DirectorySettings> directories;
};

Result<Script> ParseScript(const std::vector<std::string_view>& args);

}  // namespace yubin::multilog

#endif  // YUBIN_LIB_MULTILOG_SCRIPT_H_
