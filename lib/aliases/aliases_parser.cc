#include "lib/aliases/aliases_parser.h"

#include <strings.h>

namespace yubin::aliases {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         ::strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

AliasTarget Classify(std::string_view item) {
  if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
    item = Trim(item.substr(1, item.size() - 2));
  }
  if (!item.empty() && item[0] == '|') return {TargetKind::kProgram, std::string(Trim(item.substr(1)))};
  if (!item.empty() && item[0] == '/') return {TargetKind::kFile, std::string(item)};
  if (!item.empty() && item[0] == '\\') return {TargetKind::kLocalUser, std::string(item.substr(1))};
  if (StartsWithNoCase(item, ":include:")) {
    return {TargetKind::kInclude, std::string(Trim(item.substr(9)))};
  }
  if (StartsWithNoCase(item, "error:")) return {TargetKind::kError, std::string(item)};
  return {TargetKind::kAddress, std::string(item)};
}

}  // namespace

std::vector<AliasTarget> ParseTargetList(std::string_view list) {
  std::vector<AliasTarget> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    bool end = i == list.size();
    char c = end ? ',' : list[i];
    if (c == '"') quoted = !quoted;
    if (end || (!quoted && (c == ',' || c == '\n'))) {
      std::string_view item = Trim(list.substr(start, i - start));
      if (!item.empty() && item[0] != '#') out.push_back(Classify(item));
      start = i + 1;
    }
  }
  return out;
}

Result<AliasesFile> ParseAliases(std::string_view text) {
  if (text.size() > kMaxAliasesBytes) return Status::Permanent("aliases file is too big");
  AliasesFile file;
  std::string entry;
  size_t entry_line = 0;
  auto finish = [&]() -> Status {
    if (entry.empty()) return Status::Ok();
    size_t colon = entry.find(':');
    std::string_view name = colon == std::string::npos ? "" : Trim(std::string_view(entry).substr(0, colon));
    if (name.empty() || name.find_first_of(" \t\"") != std::string_view::npos) {
      file.problems.push_back("line " + std::to_string(entry_line) + ": not an alias entry: " +
                              entry.substr(0, 80));
    } else {
      if (file.entries.size() >= kMaxAliasEntries) {
        return Status::Permanent("aliases file has too many entries");
      }
      file.entries.push_back(
          {std::string(name), ParseTargetList(std::string_view(entry).substr(colon + 1)),
           entry_line});
    }
    entry.clear();
    return Status::Ok();
  };
  size_t pos = 0, number = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line[0] == '#') continue;
    if (Trim(line).empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') {
      if (entry.empty()) {
        file.problems.push_back("line " + std::to_string(number) +
                                ": continuation line without an entry");
        continue;
      }
      entry += ' ';
      entry += Trim(line);
    } else {
      if (Status s = finish(); !s.ok()) return s;
      entry = std::string(Trim(line));
      entry_line = number;
    }
    if (entry.size() > kMaxAliasEntryBytes) {
      return Status::Permanent("line " + std::to_string(entry_line) + ": alias entry is too long");
    }
  }
  if (Status s = finish(); !s.ok()) return s;
  return file;
}

}  // namespace yubin::aliases
