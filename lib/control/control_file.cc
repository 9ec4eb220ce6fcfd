#include "lib/control/control_file.h"

#include <cerrno>

#include "lib/base/fd.h"

namespace yubin::control {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

Result<std::vector<std::string>> ParseControlLines(std::string_view text) {
  std::vector<std::string> entries;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.find('\0') != std::string_view::npos) {
      return Status::Permanent("NUL byte in control file");
    }
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.size() > kMaxControlLineBytes) {
      return Status::Permanent("control file line longer than " +
                               std::to_string(kMaxControlLineBytes) +
                               " bytes");
    }
    entries.emplace_back(line);
  }
  return entries;
}

Result<std::optional<std::vector<std::string>>> ReadControlLines(
    const std::string& path) {
  Result<std::string> text = ReadSmallFile(path.c_str(), kMaxControlFileBytes);
  if (!text.ok()) {
    if (text.status().error_number() == ENOENT) {
      return std::optional<std::vector<std::string>>();
    }
    return text.status();
  }
  Result<std::vector<std::string>> lines = ParseControlLines(*text);
  if (!lines.ok()) return lines.status().Wrap(path);
  return std::optional<std::vector<std::string>>(std::move(*lines));
}

Result<std::string> ReadControlValue(const std::string& path,
                                     std::string_view fallback) {
  Result<std::optional<std::vector<std::string>>> lines =
      ReadControlLines(path);
  if (!lines.ok()) return lines.status();
  if (!lines->has_value() || (*lines)->empty()) return std::string(fallback);
  return (**lines)[0];
}

Result<uint64_t> ReadControlNumber(const std::string& path, uint64_t fallback,
                                   uint64_t max) {
  Result<std::optional<std::vector<std::string>>> lines =
      ReadControlLines(path);
  if (!lines.ok()) return lines.status();
  if (!lines->has_value() || (*lines)->empty()) return fallback;
  std::optional<uint64_t> n = ParseDecimal((**lines)[0], max);
  if (!n) {
    return Status::Permanent(path + ": not a number from 0 to " +
                             std::to_string(max));
  }
  return *n;
}

}  // namespace yubin::control
