#include "lib/ctl/doctor.h"

#include <netdb.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "lib/ctl/service_health.h"
#include "lib/setup/service_names.h"

namespace yubin::ctl {
namespace {

// Control files and rules are short; reading stops here.
constexpr size_t kMaxFileBytes = 1 << 20;


bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(kMaxFileBytes, '\0');
  in.read(out->data(), static_cast<std::streamsize>(kMaxFileBytes));
  out->resize(static_cast<size_t>(in.gcount()));
  return true;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

void Ok(std::vector<Finding>* f, std::string what) {
  f->push_back({Severity::kOk, std::move(what), ""});
}
void Warn(std::vector<Finding>* f, std::string what, std::string fix) {
  f->push_back({Severity::kWarning, std::move(what), std::move(fix)});
}
void Problem(std::vector<Finding>* f, std::string what, std::string fix) {
  f->push_back({Severity::kProblem, std::move(what), std::move(fix)});
}

void CheckControl(const std::string& root, std::vector<Finding>* f) {
  std::string control = root + "/control";
  std::string me_text;
  if (!ReadFile(control + "/me", &me_text) || FirstLine(me_text).empty()) {
    Problem(f, "control/me is missing or empty: yubin does not know its own name",
            "echo \"$(hostname -f)\" > " + control + "/me");
  } else {
    std::string me = FirstLine(me_text);
    if (me.find('.') == std::string::npos) {
      Warn(f, "control/me is '" + me + "', not a fully qualified name",
           "put this host's full DNS name (as in its MX record) into " + control + "/me");
    } else {
      Ok(f, "control/me: " + me);
    }
    struct addrinfo hints = {};
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo* res = nullptr;
    if (getaddrinfo(me.c_str(), nullptr, &hints, &res) == 0) {
      freeaddrinfo(res);
      Ok(f, "'" + me + "' resolves");
    } else {
      Warn(f, "'" + me + "' does not resolve: other servers cannot check our HELO name",
           "add an A/AAAA record for it (or a line in /etc/hosts)");
    }
    std::string locals;
    if (!ReadFile(control + "/locals", &locals)) {
      Warn(f, "control/locals is missing: only " + me + " is delivered locally",
           "list the domains delivered on this host in " + control + "/locals");
    }
  }
  std::string rcpthosts;
  if (!ReadFile(control + "/rcpthosts", &rcpthosts)) {
    Warn(f, "control/rcpthosts is missing: mail is accepted only for control/locals",
         "list every domain this host receives mail for in " + control + "/rcpthosts");
  } else if (Trim(rcpthosts).empty()) {
    Warn(f, "control/rcpthosts is empty: no domain is accepted from outside",
         "list every domain this host receives mail for in " + control + "/rcpthosts");
  } else {
    Ok(f, "control/rcpthosts lists the domains accepted");
  }
  std::string dd;
  if (!ReadFile(control + "/defaultdelivery", &dd)) {
    Warn(f, "control/defaultdelivery is missing (./Maildir/ applies)",
         "echo ./Maildir/ > " + control + "/defaultdelivery");
  }
  std::string resolv;
  if (!ReadFile("/etc/resolv.conf", &resolv) || resolv.find("nameserver") == std::string::npos) {
    Warn(f, "/etc/resolv.conf names no name server: remote delivery cannot find MX hosts",
         "configure a name server in /etc/resolv.conf");
  }
}

void CheckRules(const std::string& root, std::vector<Finding>* f) {
  std::string source = root + "/control/tcp.smtp";
  std::string cdb = source + ".cdb";
  std::string text;
  if (!ReadFile(source, &text)) {
    Warn(f, "control/tcp.smtp is missing", "yubin-mktree writes the default rules");
  } else {
    for (Finding& r : CheckRelayRules(text)) f->push_back(std::move(r));
  }
  struct stat s, c;
  if (stat(cdb.c_str(), &c) != 0) {
    Problem(f, "control/tcp.smtp.cdb is missing: tcpserver refuses every connection",
            "tcprules " + cdb + " " + source + ".tmp < " + source);
  } else if (stat(source.c_str(), &s) == 0 && s.st_mtime > c.st_mtime) {
    Warn(f, "control/tcp.smtp changed after tcp.smtp.cdb was compiled",
         "tcprules " + cdb + " " + source + ".tmp < " + source);
  }
}

void CheckMode(const std::string& path, const std::string& label, std::vector<Finding>* f) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (st.st_mode & 022) {
    Problem(f, label + " is writable by group or others", "chmod go-w " + path);
  }
}

void CheckPermissions(const std::string& root, std::vector<Finding>* f) {
  struct stat st;
  std::string queue = root + "/queue";
  if (stat(queue.c_str(), &st) != 0) {
    Problem(f, queue + " is missing", "yubin-mkroot --root " + root);
    return;
  }
  if ((st.st_mode & 07777) != 0700) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", st.st_mode & 07777);
    Problem(f, std::string("queue/ has mode ") + mode + ", not 700",
            "yubin-mkroot --root " + root + " repairs the modes");
  }
  struct passwd* yubinq = getpwnam("yubinq");
  struct stat root_st;
  if (yubinq != nullptr && st.st_uid != yubinq->pw_uid && stat(root.c_str(), &root_st) == 0 &&
      root_st.st_uid == 0) {
    Problem(f, "queue/ is not owned by yubinq", "yubin-mkroot --root " + root);
  } else {
    Ok(f, "queue/ is private to its owner");
  }
  CheckMode(root + "/control", "control/", f);
  for (const char* name : {"me", "rcpthosts", "locals", "defaultdelivery", "tcp.smtp"}) {
    CheckMode(root + "/control/" + name, std::string("control/") + name, f);
  }
  std::string alias = root + "/alias";
  if (stat(alias.c_str(), &st) != 0) {
    Problem(f, "the alias home " + alias + " is missing: mail for root and postmaster bounces",
            "yubin-mktree --root " + root);
  } else if (st.st_uid == 0) {
    Problem(f, "the alias home is owned by root: yubin-local refuses to deliver there",
            "chown alias " + alias);
  } else {
    CheckMode(alias, "the alias home", f);
    if (stat((alias + "/.qmail-postmaster").c_str(), &st) != 0) {
      Warn(f, "no .qmail-postmaster in the alias home: postmaster mail goes to .qmail-default",
           "echo '&root' > " + alias + "/.qmail-postmaster");
    }
  }
}

void CheckServices(const std::string& root, std::vector<Finding>* f) {
  std::string service = root + "/service";
  for (const char* name : setup::kServiceNames) {
    std::string run = service + "/" + name + "/run";
    if (access(run.c_str(), X_OK) != 0) {
      Problem(f, "service " + std::string(name) + " has no executable run script",
              "yubin-mktree --root " + root);
    }
  }
  std::vector<ServiceRow> rows = ReadTree(service, time(nullptr));
  bool any_supervised = false;
  for (const ServiceRow& r : rows) any_supervised = any_supervised || r.supervised;
  if (!any_supervised) {
    Warn(f, "the service tree is not running", "yubinctl --root " + root + " start");
    return;
  }
  for (const ServiceRow& r : rows) {
    if (!r.healthy()) {
      Problem(f, "service " + r.name + " is not healthy",
              "yubinctl --root " + root + " logs " + r.name.substr(0, r.name.find('/')));
    }
  }
  if (AllHealthy(rows)) Ok(f, "every service is up and ready");
}

bool IsLoopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "127" || address == "::1" ||
         address == "=localhost";
}

}  // namespace

std::vector<Finding> CheckRelayRules(std::string_view rules) {
  std::vector<Finding> out;
  size_t pos = 0;
  while (pos < rules.size()) {
    size_t end = rules.find('\n', pos);
    if (end == std::string_view::npos) end = rules.size();
    std::string line = Trim(rules.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    // The address part ends at ":allow" (an IPv6 address holds colons too).
    size_t allow = line.find(":allow");
    if (allow == std::string::npos || line.find("RELAYCLIENT", allow) == std::string::npos) {
      continue;
    }
    std::string address = line.substr(0, allow);
    if (address.empty()) {
      out.push_back({Severity::kProblem,
                     "OPEN RELAY: control/tcp.smtp gives RELAYCLIENT to every client ('" +
                         line + "')",
                     "limit RELAYCLIENT to your own networks (e.g. 127.) and run tcprules"});
    } else if (!IsLoopback(address)) {
      out.push_back({Severity::kWarning,
                     "control/tcp.smtp lets " + address + " relay to any domain",
                     "keep only networks you control, then run tcprules"});
    } else {
      out.push_back({Severity::kOk, "relaying allowed from " + address + " (loopback)", ""});
    }
  }
  return out;
}

std::vector<Finding> RunDoctor(const std::string& root) {
  std::vector<Finding> f;
  struct stat st;
  if (stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    Problem(&f, root + " does not exist", "tools/install --root " + root);
    return f;
  }
  CheckControl(root, &f);
  CheckRules(root, &f);
  CheckPermissions(root, &f);
  CheckServices(root, &f);
  return f;
}

std::string FormatFindings(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& x : findings) {
    const char* label = x.severity == Severity::kOk        ? "ok       "
                        : x.severity == Severity::kWarning ? "WARNING  "
                                                           : "PROBLEM  ";
    out += label + x.what + "\n";
    if (!x.fix.empty()) out += "         fix: " + x.fix + "\n";
  }
  int problems = CountProblems(findings);
  int warnings = 0;
  for (const Finding& x : findings) warnings += x.severity == Severity::kWarning;
  out += std::to_string(problems) + " problem(s), " + std::to_string(warnings) + " warning(s)\n";
  return out;
}

int CountProblems(const std::vector<Finding>& findings) {
  int n = 0;
  for (const Finding& x : findings) n += x.severity == Severity::kProblem;
  return n;
}

}  // namespace yubin::ctl
