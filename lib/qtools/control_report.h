// control_report.h: every control file yubin knows, with its value in
// effect, its default and where the value came from, for yubin-showctl.
//
//   ControlReport r = ReportControl(YubinRoot() + "/control", std::getenv,
//                                   PlainHostName());
//   WriteAll(1, json ? FormatControlJson(r) : FormatControlText(r));
//   if (r.HasProblems()) ...                   // some file was unreadable
//
// Files are read with the control-file parser the programs use
// (lib/control/control_file.h), so a file the programs would refuse (too
// big, a NUL byte, a bad number) is reported as a problem with the reason,
// not shown as if it worked. Nothing is ever written.
#ifndef YUBIN_LIB_QTOOLS_CONTROL_REPORT_H_
#define YUBIN_LIB_QTOOLS_CONTROL_REPORT_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace yubin::qtools {

enum class SettingKind {
  kValue,   // the first entry of the file
  kNumber,  // the first entry, a decimal number of at most `max`
  kList,    // every entry, one per line
  kText,    // the file's lines as they are (.qmail lines)
  kCdb,     // a cdb file, looked up by key; shown as its size
};

// Where a setting's default comes from.
enum class DefaultFrom {
  kLiteral,   // default_text is the value
  kMe,        // the value in effect for `me`
  kHostName,  // the host name (gethostname)
  kNothing,   // no value; default_text says what that means
};

struct ControlSetting {
  std::string_view name;
  SettingKind kind;
  DefaultFrom default_from;
  std::string_view default_text;
  uint64_t max;                  // kNumber only
  std::string_view environment;  // a variable that overrides the file, or ""
  std::string_view read_by;      // programs of this tree that read it, or ""
  std::string_view meaning;
};

// Every control file, in the order yubin-showctl prints them.
std::span<const ControlSetting> ControlCatalogue();

struct SettingReport {
  const ControlSetting* setting = nullptr;
  std::vector<std::string> value;  // in effect; empty for "no value"
  bool is_default = false;
  std::string source;         // the file's path, "default", or "environment X"
  std::string default_value;  // the default, in words when it has no value
  std::string problem;        // non-empty: unreadable or malformed
};

struct ControlReport {
  std::string control_dir;
  std::string directory_problem;  // control_dir itself could not be listed
  std::vector<SettingReport> settings;
  std::vector<std::string> other_files;  // in control_dir, not in the catalogue

  bool HasProblems() const;
};

using GetEnvFunction = std::function<const char*(const char*)>;

ControlReport ReportControl(const std::string& control_dir,
                            const GetEnvFunction& get_env,
                            std::string_view hostname);

std::string FormatControlText(const ControlReport& report);
std::string FormatControlJson(const ControlReport& report);

// A JSON string literal (quotes included) of arbitrary bytes: control
// characters, quotes and backslashes escaped, other bytes kept.
std::string JsonString(std::string_view text);

}  // namespace yubin::qtools

#endif  // YUBIN_LIB_QTOOLS_CONTROL_REPORT_H_
