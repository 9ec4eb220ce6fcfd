#include "lib/setup/service_tree.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/setup/root_layout.h"

namespace yubin::setup {
namespace {

constexpr mode_t kDirMode = 0755;
constexpr mode_t kScriptMode = 0755;
constexpr mode_t kFileMode = 0644;
constexpr mode_t kMaildirMode = 0700;
constexpr mode_t kDotQmailMode = 0644;
// A template is a short script; anything bigger is not one of ours.
constexpr size_t kMaxTemplateBytes = 64 * 1024;
constexpr size_t kMaxPlaceholderName = 64;

constexpr char kDefaultRules[] =
    "# Who may connect to SMTP and who may relay (tcprules format).\n"
    "# Compile after editing: tcprules tcp.smtp.cdb tcp.smtp.tmp < tcp.smtp\n"
    "127.:allow,RELAYCLIENT=\"\"\n"
    ":allow\n";

struct Owner {
  uid_t uid;
  gid_t gid;
  std::string name;
};

Result<Owner> LookUp(const char* name) {
  errno = 0;
  struct passwd* pw = getpwnam(name);
  if (pw == nullptr) {
    if (errno != 0) return Status::FromErrno(std::string("getpwnam ") + name, errno);
    return Status::Permanent(std::string("no account ") + name +
                             " (tools/install creates it; or use --user-mode)");
  }
  return Owner{pw->pw_uid, pw->pw_gid, name};
}

Owner Invoker() {
  struct passwd* pw = getpwuid(geteuid());
  return Owner{geteuid(), getegid(), pw ? pw->pw_name : std::to_string(geteuid())};
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno("open " + path, errno);
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.size() > kMaxTemplateBytes) return Status::Permanent(path + ": too big for a template");
  return s;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

Status EnsureDir(const std::string& path, mode_t mode, const Owner* owner) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return Status::FromErrno("mkdir " + path, errno);
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::FromErrno("stat " + path, errno);
  if (!S_ISDIR(st.st_mode)) return Status::Permanent(path + ": not a directory");
  if ((st.st_mode & 07777) != mode && chmod(path.c_str(), mode) != 0) {
    return Status::FromErrno("chmod " + path, errno);
  }
  if (owner != nullptr && (st.st_uid != owner->uid || st.st_gid != owner->gid) &&
      chown(path.c_str(), owner->uid, owner->gid) != 0) {
    return Status::FromErrno("chown " + path, errno);
  }
  return Status::Ok();
}

// Writes path unless it already holds exactly content with that mode.
Status WriteIfChanged(const std::string& path, const std::string& content, mode_t mode) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && (st.st_mode & 07777) == mode) {
    Result<std::string> old = ReadSmallFile(path);
    if (old.ok() && *old == content) return Status::Ok();
  }
  return WriteFileDurably(path, content, mode);
}

// Writes path only when it does not exist (the administrator's file wins).
Status WriteIfMissing(const std::string& path, const std::string& content, mode_t mode,
                      const Owner* owner) {
  if (Exists(path)) return Status::Ok();
  if (Status s = WriteFileDurably(path, content, mode); !s.ok()) return s;
  if (owner != nullptr && chown(path.c_str(), owner->uid, owner->gid) != 0) {
    return Status::FromErrno("chown " + path, errno);
  }
  return Status::Ok();
}

mode_t ModeFor(const std::string& name) {
  return (name == "run" || name == "finish") ? kScriptMode : kFileMode;
}

// The files of one service template: run, notification-fd, ..., and log/run.
const char* const kTemplateFiles[] = {"run", "notification-fd", "log/run"};

Status FillServiceDir(const TreeOptions& o, const std::map<std::string, std::string>& values,
                      const std::string& name, const std::string& dir) {
  if (Status s = EnsureDir(dir, kDirMode, nullptr); !s.ok()) return s;
  if (Status s = EnsureDir(dir + "/log", kDirMode, nullptr); !s.ok()) return s;
  for (const char* file : kTemplateFiles) {
    std::string from = o.templates + "/" + name + "/" + file;
    if (!Exists(from)) continue;
    Result<std::string> text = ReadSmallFile(from);
    if (!text.ok()) return text.status();
    Result<std::string> filled = FillTemplate(*text, values);
    if (!filled.ok()) return Status::Permanent(from + ": " + filled.status().message());
    std::string base = std::string(file).substr(std::string(file).rfind('/') + 1);
    if (Status s = WriteIfChanged(dir + "/" + file, *filled, ModeFor(base)); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status InstallService(const TreeOptions& o, const std::map<std::string, std::string>& values,
                      const std::string& name) {
  std::string service = o.root + "/service";
  std::string final_dir = service + "/" + name;
  if (Exists(final_dir)) return FillServiceDir(o, values, name, final_dir);
  // Built under a dot name (svscan skips those), then renamed into place.
  std::string staging = service + "/." + name + ".new";
  if (Exists(staging)) {
    for (const char* file : kTemplateFiles) unlink((staging + "/" + file).c_str());
    rmdir((staging + "/log").c_str());
    rmdir(staging.c_str());
  }
  if (Status s = FillServiceDir(o, values, name, staging); !s.ok()) return s;
  if (rename(staging.c_str(), final_dir.c_str()) != 0) {
    return Status::FromErrno("rename " + staging + " to " + final_dir, errno);
  }
  return FsyncDirectory(service);
}

// Runs argv with stdin from input_path; ok when it exits 0.
Status RunWithInput(const std::vector<std::string>& argv, const std::string& input_path) {
  UniqueFd in(open(input_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return Status::FromErrno("open " + input_path, errno);
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    dup2(in.get(), 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(111);
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno("waitpid", errno);
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return Status::Temporary(argv[0] + " failed (status " + std::to_string(wstatus) + ")");
  }
  return Status::Ok();
}

Status InstallRules(const TreeOptions& o, std::vector<std::string>* notes) {
  std::string control = o.root + "/control";
  std::string source = control + "/tcp.smtp";
  std::string cdb = control + "/tcp.smtp.cdb";
  if (Status s = WriteIfMissing(source, kDefaultRules, kFileMode, nullptr); !s.ok()) return s;
  std::string tcprules = o.bindir + "/tcprules";
  if (access(tcprules.c_str(), X_OK) != 0) {
    notes->push_back("no " + tcprules + ": " + cdb + " not compiled from " + source +
                     "; until it is, tcpserver refuses every connection");
    return Status::Ok();
  }
  struct stat src, out;
  if (stat(source.c_str(), &src) != 0) return Status::FromErrno("stat " + source, errno);
  bool fresh = stat(cdb.c_str(), &out) == 0 &&
               (out.st_mtim.tv_sec > src.st_mtim.tv_sec ||
                (out.st_mtim.tv_sec == src.st_mtim.tv_sec &&
                 out.st_mtim.tv_nsec >= src.st_mtim.tv_nsec));
  if (fresh) return Status::Ok();
  return RunWithInput({tcprules, cdb, control + "/tcp.smtp.tmp"}, source);
}

Status InstallAliasHome(const TreeOptions& o, const Owner& alias) {
  std::string home = o.root + "/alias";
  if (Status s = EnsureDir(home, kDirMode, &alias); !s.ok()) return s;
  std::string root_line = "./Maildir/\n";
  if (!o.admin.empty()) {
    root_line = "&" + o.admin + "\n";
  }
  for (const char* sub : {"/Maildir", "/Maildir/tmp", "/Maildir/new", "/Maildir/cur"}) {
    if (Status s = EnsureDir(home + sub, kMaildirMode, &alias); !s.ok()) return s;
  }
  if (Status s = WriteIfMissing(home + "/.qmail-root", root_line, kDotQmailMode, &alias);
      !s.ok()) {
    return s;
  }
  for (const char* name : {"/.qmail-postmaster", "/.qmail-mailer-daemon"}) {
    if (Status s = WriteIfMissing(home + name, "&root\n", kDotQmailMode, &alias); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status InstallBootFiles(const TreeOptions& o, const std::map<std::string, std::string>& values) {
  std::string etc = EtcDir(o);
  struct BootFile {
    const char* from;
    const char* dir;
    const char* name;
    mode_t mode;
  };
  const BootFile files[] = {
      {"boot/yubin.service", "/systemd/system", "yubin.service", kFileMode},
      {"boot/yubin.init", "/init.d", "yubin", kScriptMode},
  };
  if (!Exists(etc) && mkdir(etc.c_str(), kDirMode) != 0) {
    return Status::FromErrno("mkdir " + etc, errno);
  }
  for (const BootFile& f : files) {
    Result<std::string> text = ReadSmallFile(o.templates + "/" + f.from);
    if (!text.ok()) return text.status();
    Result<std::string> filled = FillTemplate(*text, values);
    if (!filled.ok()) return filled.status();
    std::string dir = etc + f.dir;
    if (f.dir == std::string("/systemd/system")) {
      if (mkdir((etc + "/systemd").c_str(), kDirMode) != 0 && errno != EEXIST) {
        return Status::FromErrno("mkdir " + etc + "/systemd", errno);
      }
    }
    if (mkdir(dir.c_str(), kDirMode) != 0 && errno != EEXIST) {
      return Status::FromErrno("mkdir " + dir, errno);
    }
    if (Status s = WriteIfChanged(dir + "/" + f.name, *filled, f.mode); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> FillTemplate(std::string_view text,
                                 const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t at = text.find('@', i);
    if (at == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, at - i));
    size_t end = at + 1;
    while (end < text.size() && end - at <= kMaxPlaceholderName &&
           ((text[end] >= 'A' && text[end] <= 'Z') || text[end] == '_')) {
      ++end;
    }
    if (end == at + 1 || end >= text.size() || text[end] != '@') {
      // Not a placeholder (a lone '@', as in an address): copied as is.
      out.push_back('@');
      i = at + 1;
      continue;
    }
    std::string name(text.substr(at + 1, end - at - 1));
    auto it = values.find(name);
    if (it == values.end()) return Status::Permanent("unknown placeholder @" + name + "@");
    out += it->second;
    i = end + 1;
  }
  return out;
}

std::string EtcDir(const TreeOptions& o) {
  if (!o.etc.empty()) return o.etc;
  return o.user_mode ? o.root + "/etc" : "/etc";
}

Result<std::map<std::string, std::string>> TemplateValues(const TreeOptions& o) {
  std::map<std::string, std::string> v = {
      {"ROOT", o.root},
      {"BIN", o.bindir},
      {"PORT", std::to_string(o.port)},
      {"ADDRESS", o.address},
      {"SMTPD_CONCURRENCY", std::to_string(o.concurrency)},
      {"SMTPD_DATA", std::to_string(kSmtpdDataLimit)},
      {"SEND_DATA", std::to_string(kSendDataLimit)},
      {"LOCAL_DATA", std::to_string(kLocalDataLimit)},
      {"REMOTE_DATA", std::to_string(kRemoteDataLimit)},
      {"INTAKE_DATA", std::to_string(kIntakeDataLimit)},
  };
  if (o.user_mode) {
    Owner me = Invoker();
    v["SMTPD_IDS"] = "";
    v["QUEUE_OWNER"] = me.name;
    v["AS_QUEUE_OWNER"] = "";
    v["AS_LOG_OWNER"] = "";
    v["LOCAL_USER"] = me.name;
    return v;
  }
  Result<Owner> smtpd = LookUp(kSmtpdUser);
  if (!smtpd.ok()) return smtpd.status();
  Result<Owner> queue = LookUp(kQueueUser);
  if (!queue.ok()) return queue.status();
  Result<Owner> log = LookUp(kLogUser);
  if (!log.ok()) return log.status();
  v["SMTPD_IDS"] = " -u " + std::to_string(smtpd->uid) + " -g " + std::to_string(smtpd->gid);
  v["QUEUE_OWNER"] = kQueueUser;
  v["AS_QUEUE_OWNER"] = std::string("setuidgid ") + kQueueUser + " ";
  v["AS_LOG_OWNER"] = std::string("setuidgid ") + kLogUser + " ";
  v["LOCAL_USER"] = "root";
  return v;
}

Status MakeServiceTree(const TreeOptions& o, std::vector<std::string>* notes) {
  if (!o.user_mode && geteuid() != 0) {
    return Status::Permanent("not root: run as root, or use --user-mode");
  }
  if (!Exists(o.root + "/control") || !Exists(o.root + "/queue")) {
    return Status::Permanent(o.root + " is not a yubin root (run yubin-mkroot first)");
  }
  Result<std::map<std::string, std::string>> values = TemplateValues(o);
  if (!values.ok()) return values.status();
  Owner log_owner = Invoker();
  Owner alias_owner = Invoker();
  if (!o.user_mode) {
    Result<Owner> log = LookUp(kLogUser);
    if (!log.ok()) return log.status();
    log_owner = *log;
    Result<Owner> alias = LookUp(kAliasUser);
    if (!alias.ok()) return alias.status();
    alias_owner = *alias;
  }
  if (Status s = WriteIfMissing(o.root + "/control/defaultdelivery", "./Maildir/\n", kFileMode,
                                nullptr);
      !s.ok()) {
    return s;
  }
  if (Status s = InstallRules(o, notes); !s.ok()) return s;
  if (Status s = EnsureDir(o.root + "/service", kDirMode, nullptr); !s.ok()) return s;
  if (Status s = EnsureDir(o.root + "/log", kDirMode, nullptr); !s.ok()) return s;
  for (const char* name : kServiceNames) {
    if (Status s = EnsureDir(o.root + "/log/" + name, kDirMode, &log_owner); !s.ok()) return s;
    if (Status s = InstallService(o, *values, name); !s.ok()) return s;
  }
  if (Status s = EnsureDir(o.root + "/users", kDirMode, nullptr); !s.ok()) return s;
  if (Status s = InstallAliasHome(o, alias_owner); !s.ok()) return s;
  if (Status s = InstallBootFiles(o, *values); !s.ok()) return s;
  return Status::Ok();
}

}  // namespace yubin::setup
