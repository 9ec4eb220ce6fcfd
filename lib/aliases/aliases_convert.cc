#include "lib/aliases/aliases_convert.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"

namespace yubin::aliases {
namespace {

constexpr size_t kMaxAddress = 1003;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool PlainAddress(std::string_view a) {
  return !a.empty() && a.size() <= kMaxAddress &&
         a.find_first_of(" \t<>\"\n\r\\") == std::string_view::npos;
}

// Converts one target to .qmail lines; false with *why when it cannot.
bool ConvertTarget(const AliasEntry& entry, const AliasTarget& t, const ConvertOptions& options,
                   bool allow_include, std::vector<std::string>* lines,
                   std::vector<std::string>* notes, std::string* why) {
  switch (t.kind) {
    case TargetKind::kAddress:
      if (!PlainAddress(t.value)) {
        *why = "address not understood: " + t.value;
        return false;
      }
      lines->push_back("&" + t.value);
      return true;
    case TargetKind::kLocalUser:
      if (Lower(t.value) == Lower(entry.name)) {
        *why = "\\" + t.value + " delivers to the account itself; give it a mailbox line instead";
        return false;
      }
      if (!PlainAddress(t.value)) {
        *why = "user not understood: \\" + t.value;
        return false;
      }
      lines->push_back("&" + t.value);
      return true;
    case TargetKind::kProgram:
      if (t.value.empty() || t.value.find('\n') != std::string::npos) {
        *why = "empty program";
        return false;
      }
      lines->push_back("|" + t.value);
      return true;
    case TargetKind::kFile:
      if (t.value == "/dev/null") {
        lines->push_back("# discarded (was /dev/null)");
        return true;
      }
      lines->push_back(t.value);
      return true;
    case TargetKind::kInclude: {
      if (!allow_include) {
        *why = "nested :include: " + t.value;
        return false;
      }
      Result<std::string> text = options.read_include(t.value);
      if (!text.ok()) {
        *why = ":include: " + t.value + ": " + text.status().message();
        return false;
      }
      for (const AliasTarget& inner : ParseTargetList(*text)) {
        if (!ConvertTarget(entry, inner, options, false, lines, notes, why)) return false;
      }
      notes->push_back(":include:" + t.value +
                       " was expanded now; run yubin-aliases again after editing it");
      return true;
    }
    case TargetKind::kError:
      *why = "sendmail error target has no .qmail equivalent: " + t.value;
      return false;
  }
  *why = "unknown target";
  return false;
}

}  // namespace

std::string DotQmailNameFor(std::string_view alias) {
  std::string name = Lower(alias);
  for (char& c : name) {
    if (c == '.') c = ':';
  }
  return ".qmail-" + name;
}

ConversionPlan PlanConversion(const AliasesFile& file, const ConvertOptions& options_in) {
  ConvertOptions options = options_in;
  if (!options.read_include) {
    options.read_include = [](const std::string& path) {
      return ReadSmallFile(path.c_str(), kMaxIncludeBytes);
    };
  }
  ConversionPlan plan;
  plan.problems = file.problems;
  std::set<std::string> seen;
  for (const AliasEntry& entry : file.entries) {
    const std::string where = "line " + std::to_string(entry.line) + ": " + entry.name + ": ";
    std::string key = Lower(entry.name);
    if (!seen.insert(key).second) {
      plan.problems.push_back(where + "duplicate alias (the first one is converted)");
      continue;
    }
    if (entry.name.find('/') != std::string::npos || entry.name.find('\0') != std::string::npos) {
      plan.problems.push_back(where + "name cannot be a file name");
      continue;
    }
    if (entry.targets.empty()) {
      plan.problems.push_back(where + "no targets");
      continue;
    }
    PlannedFile out;
    out.alias = entry.name;
    out.path = options.alias_dir + "/" + DotQmailNameFor(entry.name);
    std::vector<std::string> lines;
    std::string why;
    bool ok = true;
    for (const AliasTarget& t : entry.targets) {
      if (!ConvertTarget(entry, t, options, true, &lines, &out.notes, &why)) {
        ok = false;
        break;
      }
    }
    if (!ok) {
      plan.problems.push_back(where + why);
      continue;
    }
    struct stat st {};
    if (!options.force && ::lstat(out.path.c_str(), &st) == 0) {
      plan.skipped.push_back(out.path + " exists (use --force to replace it)");
      continue;
    }
    for (const std::string& l : lines) out.content += l + "\n";
    plan.files.push_back(std::move(out));
  }
  return plan;
}

std::string DescribePlan(const ConversionPlan& plan) {
  std::string out;
  for (const PlannedFile& f : plan.files) {
    out += f.alias + " -> " + f.path + "\n";
    size_t pos = 0;
    while (pos < f.content.size()) {
      size_t nl = f.content.find('\n', pos);
      out += "    " + f.content.substr(pos, nl - pos) + "\n";
      pos = nl + 1;
    }
    for (const std::string& n : f.notes) out += "    note: " + n + "\n";
  }
  for (const std::string& s : plan.skipped) out += "skipped: " + s + "\n";
  for (const std::string& p : plan.problems) out += "not converted: " + p + "\n";
  return out;
}

Status ApplyConversion(const ConversionPlan& plan, std::string* report) {
  if (plan.files.empty()) return Status::Ok();
  struct stat dir {};
  const std::string alias_dir = DirectoryOf(plan.files[0].path);
  if (::stat(alias_dir.c_str(), &dir) != 0) {
    return Status::FromErrno("stat " + alias_dir, errno);
  }
  for (const PlannedFile& f : plan.files) {
    if (Status s = WriteFileDurably(f.path, f.content, 0600); !s.ok()) return s;
    // Deliveries read the file as the alias user, who owns the directory.
    if (::geteuid() == 0 && ::chown(f.path.c_str(), dir.st_uid, dir.st_gid) != 0) {
      return Status::FromErrno("chown " + f.path, errno);
    }
    *report += "wrote " + f.path + "\n";
  }
  return Status::Ok();
}

int RunAliasesCommand(const std::vector<std::string>& args, const std::string& root,
                      std::string* out) {
  bool dry_run = false;
  ConvertOptions options;
  std::vector<std::string> positional;
  for (const std::string& a : args) {
    if (a == "--dry-run" || a == "-n") {
      dry_run = true;
    } else if (a == "--force") {
      options.force = true;
    } else if (!a.empty() && a[0] == '-') {
      *out = "yubin-aliases: usage: yubin-aliases [--dry-run] [--force] [aliases-file [alias-dir]]\n";
      return kExitPermanent;
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() > 2) {
    *out = "yubin-aliases: usage: yubin-aliases [--dry-run] [--force] [aliases-file [alias-dir]]\n";
    return kExitPermanent;
  }
  const std::string source = positional.size() > 0 ? positional[0] : "/etc/aliases";
  options.alias_dir = positional.size() > 1 ? positional[1] : root + "/alias";
  Result<std::string> text = ReadSmallFile(source.c_str(), kMaxAliasesBytes);
  if (!text.ok()) {
    *out = "yubin-aliases: fatal: " + text.status().message() + "\n";
    return ExitCodeFor(text.status());
  }
  Result<AliasesFile> parsed = ParseAliases(*text);
  if (!parsed.ok()) {
    *out = "yubin-aliases: fatal: " + source + ": " + parsed.status().message() + "\n";
    return kExitPermanent;
  }
  ConversionPlan plan = PlanConversion(*parsed, options);
  *out = DescribePlan(plan);
  if (!dry_run) {
    Status s = ApplyConversion(plan, out);
    if (!s.ok()) {
      *out += "yubin-aliases: fatal: " + s.message() + "\n";
      return ExitCodeFor(s);
    }
  }
  return plan.problems.empty() ? kExitOk : kExitPermanent;
}

}  // namespace yubin::aliases
