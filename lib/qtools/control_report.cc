#include "lib/qtools/control_report.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/control/control_file.h"
#include "lib/control/smtpd_control.h"

namespace yubin::qtools {
namespace {

constexpr uint64_t kAnyNumber = std::numeric_limits<uint64_t>::max();
constexpr char kSmtpd[] = "yubin-smtpd";

// Defaults and limits of programs that exist come from their headers;
// those of the queue manager and remote delivery are qmail's.
const ControlSetting kCatalogue[] = {
    {"me", SettingKind::kValue, DefaultFrom::kHostName, "", 0, "",
     "yubin-smtpd, yubin-inject, sendmail",
     "this host's name: the default for the names below"},
    {"smtpgreeting", SettingKind::kValue, DefaultFrom::kMe, "", 0, "", kSmtpd,
     "text of the SMTP greeting: 220 TEXT ESMTP"},
    {"rcpthosts", SettingKind::kList, DefaultFrom::kNothing,
     "none: only the domains in locals are accepted (no relaying)", 0, "",
     kSmtpd,
     "domains accepted from any client; .example.com matches every name "
     "below example.com"},
    {"morercpthosts.cdb", SettingKind::kCdb, DefaultFrom::kNothing, "none", 0,
     "", kSmtpd, "more rcpthosts entries as cdb keys (used only with rcpthosts)"},
    {"locals", SettingKind::kList, DefaultFrom::kMe, "", 0, "", kSmtpd,
     "domains delivered on this host"},
    {"databytes", SettingKind::kNumber, DefaultFrom::kLiteral, "26214400",
     control::kMaxDatabytes, "DATABYTES", kSmtpd,
     "largest message accepted, in bytes; 0 means no limit"},
    {"badmailfrom", SettingKind::kList, DefaultFrom::kNothing,
     "empty: no sender is refused", 0, "", kSmtpd,
     "envelope senders refused at MAIL: user@domain, or @domain for a whole "
     "domain"},
    {"timeoutsmtpd", SettingKind::kNumber, DefaultFrom::kLiteral, "1200",
     control::kMaxTimeoutSmtpd, "", kSmtpd,
     "seconds to wait for an SMTP client; 0 means the default"},
    {"maxrcpt", SettingKind::kNumber, DefaultFrom::kLiteral, "100",
     control::kMaxMaxRcpt, "", kSmtpd,
     "recipients accepted per message; 0 means the default"},
    {"localiphost", SettingKind::kValue, DefaultFrom::kMe, "", 0, "", kSmtpd,
     "name that user@[local IP address] is delivered as"},
    {"defaulthost", SettingKind::kValue, DefaultFrom::kMe, "", 0,
     "QMAILDEFAULTHOST", "yubin-inject, sendmail",
     "host name added to addresses without one in injected mail"},
    {"defaultdomain", SettingKind::kValue, DefaultFrom::kMe, "", 0,
     "QMAILDEFAULTDOMAIN", "yubin-inject, sendmail",
     "domain added to host names without a dot in injected mail"},
    {"defaultdelivery", SettingKind::kText, DefaultFrom::kLiteral, "./Maildir/",
     0, "", "yubin-local",
     ".qmail lines used for a user without a .qmail file (or an empty one)"},
    {"concurrencylocal", SettingKind::kNumber, DefaultFrom::kLiteral, "10",
     kAnyNumber, "", "", "local deliveries at once"},
    {"concurrencyremote", SettingKind::kNumber, DefaultFrom::kLiteral, "20",
     kAnyNumber, "", "", "remote deliveries at once"},
    {"queuelifetime", SettingKind::kNumber, DefaultFrom::kLiteral, "604800",
     kAnyNumber, "", "",
     "seconds a message may stay queued before temporary failures bounce"},
    {"bouncefrom", SettingKind::kValue, DefaultFrom::kLiteral, "MAILER-DAEMON",
     0, "", "", "user name in the From: of bounce messages"},
    {"bouncehost", SettingKind::kValue, DefaultFrom::kMe, "", 0, "", "",
     "host name in the From: of bounce messages"},
    {"doublebounceto", SettingKind::kValue, DefaultFrom::kLiteral, "postmaster",
     0, "", "", "user who gets bounces that cannot be returned"},
    {"doublebouncehost", SettingKind::kValue, DefaultFrom::kMe, "", 0, "", "",
     "host of doublebounceto"},
    {"virtualdomains", SettingKind::kList, DefaultFrom::kNothing, "none", 0, "",
     "", "domain:prefix lines: mail for domain goes to the local user prefix"},
    {"smtproutes", SettingKind::kList, DefaultFrom::kNothing,
     "none: MX records decide every route", 0, "", "",
     "domain:relay[:port] lines: send mail for domain through relay"},
    {"helohost", SettingKind::kValue, DefaultFrom::kMe, "", 0, "", "",
     "name given in HELO/EHLO to remote servers"},
    {"outgoingip", SettingKind::kValue, DefaultFrom::kNothing,
     "none: the system picks the source address", 0, "", "",
     "local address remote connections are made from"},
    {"timeoutconnect", SettingKind::kNumber, DefaultFrom::kLiteral, "60",
     kAnyNumber, "", "", "seconds to wait for a remote server to accept a connection"},
    {"timeoutremote", SettingKind::kNumber, DefaultFrom::kLiteral, "1200",
     kAnyNumber, "", "", "seconds to wait for a remote server's reply"},
    {"dnsservers", SettingKind::kList, DefaultFrom::kNothing,
     "none: the servers in /etc/resolv.conf", 0, "", "",
     "DNS servers to ask for MX and address records"},
};

// Lines of a .qmail-style file as they are; a trailing newline ends the
// last line rather than starting an empty one.
std::vector<std::string> RawLines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return out;
}

// Reads the file of one setting into report->value; leaves value empty
// and returns false when the file does not exist.
bool ReadSetting(const std::string& path, const ControlSetting& setting,
                 SettingReport* report) {
  switch (setting.kind) {
    case SettingKind::kCdb: {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT) return false;
        report->problem = Status::FromErrno("stat " + path, err).message();
        return true;
      }
      if (!S_ISREG(st.st_mode)) {
        report->problem = path + ": not a regular file";
      } else {
        report->value.push_back("a cdb of " + std::to_string(st.st_size) +
                                " bytes");
      }
      return true;
    }
    case SettingKind::kText: {
      Result<std::string> text =
          ReadSmallFile(path.c_str(), control::kMaxControlFileBytes);
      if (!text.ok()) {
        if (text.status().error_number() == ENOENT) return false;
        report->problem = text.status().message();
        return true;
      }
      report->value = RawLines(*text);
      return true;
    }
    case SettingKind::kValue:
    case SettingKind::kNumber:
    case SettingKind::kList:
      break;
  }
  Result<std::optional<std::vector<std::string>>> lines =
      control::ReadControlLines(path);
  if (!lines.ok()) {
    report->problem = lines.status().message();
    return true;
  }
  if (!*lines) return false;
  std::vector<std::string>& entries = **lines;
  if (setting.kind == SettingKind::kList) {
    report->value = std::move(entries);
    return true;
  }
  // A single value: an empty file takes the default, as the programs do.
  if (entries.empty()) return false;
  if (setting.kind == SettingKind::kNumber &&
      !control::ParseDecimal(entries[0], setting.max)) {
    report->problem = path + ": not a number from 0 to " + std::to_string(setting.max) +
                      ": " + entries[0];
  }
  report->value.push_back(entries[0]);
  return true;
}

std::string DefaultWords(const ControlSetting& setting, std::string_view me,
                         std::string_view hostname) {
  switch (setting.default_from) {
    case DefaultFrom::kLiteral: return std::string(setting.default_text);
    case DefaultFrom::kMe: return std::string(me) + " (me)";
    case DefaultFrom::kHostName: return std::string(hostname) + " (the host name)";
    case DefaultFrom::kNothing: return std::string(setting.default_text);
  }
  return "";
}

std::vector<std::string> DefaultValue(const ControlSetting& setting,
                                      std::string_view me,
                                      std::string_view hostname) {
  switch (setting.default_from) {
    case DefaultFrom::kLiteral: return {std::string(setting.default_text)};
    case DefaultFrom::kMe: return {std::string(me)};
    case DefaultFrom::kHostName: return {std::string(hostname)};
    case DefaultFrom::kNothing: return {};
  }
  return {};
}

bool InCatalogue(std::string_view name) {
  for (const ControlSetting& s : kCatalogue) {
    if (s.name == name) return true;
  }
  return false;
}

// Names in control_dir that no setting reads, sorted; dot files skipped.
std::string ListOtherFiles(const std::string& control_dir,
                           std::vector<std::string>* out) {
  DIR* dir = ::opendir(control_dir.c_str());
  if (dir == nullptr) {
    return Status::FromErrno("unable to list " + control_dir, errno).message();
  }
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (!name.empty() && name[0] != '.' && !InCatalogue(name)) {
      out->emplace_back(name);
    }
  }
  int err = errno;
  ::closedir(dir);
  std::sort(out->begin(), out->end());
  if (err != 0) return Status::FromErrno("unable to list " + control_dir, err).message();
  return "";
}

void AppendJsonList(const std::vector<std::string>& items, std::string* out) {
  *out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) *out += ", ";
    *out += JsonString(items[i]);
  }
  *out += ']';
}

std::string JsonOrNull(std::string_view text) {
  return text.empty() ? "null" : JsonString(text);
}

}  // namespace

std::span<const ControlSetting> ControlCatalogue() { return kCatalogue; }

bool ControlReport::HasProblems() const {
  if (!directory_problem.empty()) return true;
  for (const SettingReport& s : settings) {
    if (!s.problem.empty()) return true;
  }
  return false;
}

ControlReport ReportControl(const std::string& control_dir,
                            const GetEnvFunction& get_env, std::string_view hostname) {
  ControlReport report;
  report.control_dir = control_dir;
  std::string me(hostname);
  for (const ControlSetting& setting : kCatalogue) {
    SettingReport s;
    s.setting = &setting;
    s.default_value = DefaultWords(setting, me, hostname);
    std::string path = control_dir + "/" + std::string(setting.name);
    const char* env =
        setting.environment.empty()
            ? nullptr
            : get_env(std::string(setting.environment).c_str());
    if (env != nullptr) {
      s.source = "environment " + std::string(setting.environment);
      s.value.push_back(env);
      if (setting.kind == SettingKind::kNumber &&
          !control::ParseDecimal(env, setting.max)) {
        s.problem = "$" + std::string(setting.environment) +
                    ": not a number from 0 to " + std::to_string(setting.max);
      }
    } else if (ReadSetting(path, setting, &s)) {
      s.source = path;
    } else {
      s.is_default = true;
      s.source = "default";
      s.value = DefaultValue(setting, me, hostname);
    }
    // An unreadable me leaves the host name as the default of the others,
    // which is what the problem line then explains.
    if (setting.name == "me" && s.problem.empty() && !s.value.empty()) {
      me = s.value[0];
    }
    report.settings.push_back(std::move(s));
  }
  report.directory_problem = ListOtherFiles(control_dir, &report.other_files);
  return report;
}

std::string FormatControlText(const ControlReport& report) {
  std::string out = "control directory: " + report.control_dir + "\n";
  if (!report.directory_problem.empty()) {
    out += "  problem: " + report.directory_problem + "\n";
  }
  for (const SettingReport& s : report.settings) {
    const ControlSetting& c = *s.setting;
    out += "\n" + std::string(c.name) + ":";
    if (!s.problem.empty()) {
      out += " (unusable)";
    } else if (s.is_default) {
      out += " (default)";
    }
    bool many = c.kind == SettingKind::kList || c.kind == SettingKind::kText;
    if (s.value.empty()) {
      out += " " + (s.is_default ? s.default_value : std::string("(empty)"));
    } else if (!many) {
      out += " " + s.value[0];
    }
    out += "\n";
    if (many && !s.value.empty()) {
      for (const std::string& v : s.value) out += "    " + v + "\n";
    }
    out += "  source: " + s.source + "\n";
    if (!s.problem.empty()) out += "  problem: " + s.problem + "\n";
    out += "  default: " + s.default_value + "\n";
    if (!c.environment.empty()) {
      out += "  overridden by: $" + std::string(c.environment) + "\n";
    }
    if (!c.read_by.empty()) out += "  read by: " + std::string(c.read_by) + "\n";
    out += "  meaning: " + std::string(c.meaning) + "\n";
  }
  if (!report.other_files.empty()) {
    out += "\nother files in " + report.control_dir + " (not read by yubin):\n";
    for (const std::string& f : report.other_files) out += "    " + f + "\n";
  }
  return out;
}

std::string FormatControlJson(const ControlReport& report) {
  std::string out = "{\"control_dir\": " + JsonString(report.control_dir) +
                    ",\n \"problem\": " + JsonOrNull(report.directory_problem) +
                    ",\n \"settings\": [";
  for (size_t i = 0; i < report.settings.size(); ++i) {
    const SettingReport& s = report.settings[i];
    const ControlSetting& c = *s.setting;
    out += i == 0 ? "\n  " : ",\n  ";
    out += "{\"name\": " + JsonString(c.name) + ", \"value\": ";
    if (c.kind == SettingKind::kList || c.kind == SettingKind::kText) {
      AppendJsonList(s.value, &out);
    } else {
      out += s.value.empty() ? "null" : JsonString(s.value[0]);
    }
    out += ", \"is_default\": " + std::string(s.is_default ? "true" : "false");
    out += ", \"source\": " + JsonString(s.source);
    out += ", \"default\": " + JsonString(s.default_value);
    out += ", \"environment\": " + JsonOrNull(c.environment);
    out += ", \"read_by\": " + JsonOrNull(c.read_by);
    out += ", \"meaning\": " + JsonString(c.meaning);
    out += ", \"problem\": " + JsonOrNull(s.problem) + "}";
  }
  out += "],\n \"other_files\": ";
  AppendJsonList(report.other_files, &out);
  out += "}\n";
  return out;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

}  // namespace yubin::qtools
