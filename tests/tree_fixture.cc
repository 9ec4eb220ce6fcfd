#include "tests/tree_fixture.h"

#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "tests/smtpd_fixture.h"
#include "tests/supervision_helpers.h"

namespace yubin::testing {
namespace {

// Messages per SMTP session: few connections, so the greeting delay for
// each is paid rarely.
constexpr size_t kMessagesPerSession = 50;
constexpr auto kRetryNudge = std::chrono::seconds(2);
constexpr auto kPollStep = std::chrono::milliseconds(50);

bool Sh(const std::string& script, std::string* error) {
  ProcessResult r = RunShell(script);
  if (r.exit_code == 0) return true;
  *error = script + ": exit " + std::to_string(r.exit_code) + ": " + r.err;
  return false;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Every "Subject: m<N>" in text.
void CollectSubjects(const std::string& text, std::multiset<int>* out) {
  size_t pos = 0;
  while ((pos = text.find("Subject: m", pos)) != std::string::npos) {
    pos += std::strlen("Subject: m");
    out->insert(std::atoi(text.c_str() + pos));
  }
}

}  // namespace

const std::vector<std::string>& TreePrograms() {
  static const std::vector<std::string> programs = {
      "supervise/svscan",       "supervise/supervise",
      "cmd/svc/svc",            "cmd/svstat/svstat",
      "cmd/svok/svok",          "cmd/softlimit/softlimit",
      "cmd/setuidgid/setuidgid", "cmd/multilog/multilog",
      "cmd/logtail/logtail",    "cmd/tai64nlocal/tai64nlocal",
      "cmd/tcpserver/tcpserver", "cmd/tcprules/tcprules",
      "cmd/yubin-smtpd/yubin-smtpd", "cmd/yubin-queue/yubin-queue",
      "cmd/yubin-send/yubin-send", "cmd/yubin-lspawn/yubin-lspawn",
      "cmd/yubin-local/yubin-local", "cmd/yubin-mkroot/yubin-mkroot",
      "cmd/yubin-mktree/yubin-mktree", "cmd/yubinctl/yubinctl",
      "cmd/sendmail/sendmail",  "cmd/yubin-inject/yubin-inject",
      "cmd/yubin-newu/yubin-newu", "cmd/yubin-rspawn/yubin-rspawn",
      "cmd/yubin-remote/yubin-remote", "cmd/yubin-intake/yubin-intake",
  };
  return programs;
}

bool CopyBuiltPrograms(const std::string& dir, std::string* error) {
  std::string script = "set -e; mkdir -p " + Quote(dir + "/bin") + " " +
                       Quote(dir + "/share/yubin") + "; ";
  for (const std::string& p : TreePrograms()) {
    script += "cp " + Quote(RunfilePath(p)) + " " + Quote(dir + "/bin/") + "; ";
  }
  script += "cp -rL " + Quote(RunfilePath("services")) + " " +
            Quote(dir + "/share/yubin/services") + "; rm -f " +
            Quote(dir + "/share/yubin/services/BUILD") + "; chmod -R a+rX " + Quote(dir);
  return Sh(script, error);
}

TreeFixture::~TreeFixture() {
  if (dir_.empty()) return;
  pid_t svscan = 0;
  std::string pid_text = ReadFileOrEmpty(root_ + "/service/.svscan.pid");
  if (!pid_text.empty()) svscan = static_cast<pid_t>(std::atol(pid_text.c_str()));
  if (svscan > 0 && !ProcessGone(svscan)) {
    kill(svscan, SIGTERM);
    WaitGone(svscan, 70s);
  }
  // Whatever of the tree is left (a test that killed svscan, s6-svscan's
  // tree): every process whose executable is in bin/.
  for (int round = 0; round < 2; ++round) {
    DIR* d = opendir("/proc");
    while (d != nullptr) {
      struct dirent* e = readdir(d);
      if (e == nullptr) break;
      pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
      if (pid <= 0) continue;
      char exe[4096];
      std::string link = "/proc/" + std::string(e->d_name) + "/exe";
      ssize_t n = readlink(link.c_str(), exe, sizeof exe - 1);
      if (n <= 0) continue;
      if (std::string(exe, static_cast<size_t>(n)).rfind(bin_ + "/", 0) == 0) kill(pid, SIGKILL);
    }
    if (d != nullptr) closedir(d);
  }
  RunShell("rm -rf " + Quote(dir_));
}

std::vector<std::string> TreeFixture::AsTreeUser(std::vector<std::string> argv) const {
  if (as_nobody_) argv.insert(argv.begin(), {bin_ + "/setuidgid", "nobody"});
  return argv;
}

ProcessResult TreeFixture::Run(std::vector<std::string> argv, RunOptions options) const {
  if (access((bin_ + "/" + argv[0]).c_str(), X_OK) == 0) argv[0] = bin_ + "/" + argv[0];
  options.env.push_back("YUBIN_ROOT=" + root_);
  options.env.push_back("PATH=" + bin_ + ":/usr/bin:/bin");
  if (options.cwd.empty()) options.cwd = dir_;
  return RunProcess(AsTreeUser(argv), options);
}

bool TreeFixture::Start(ChildProcess& child, std::vector<std::string> argv) const {
  if (access((bin_ + "/" + argv[0]).c_str(), X_OK) == 0) argv[0] = bin_ + "/" + argv[0];
  RunOptions options;
  options.env.push_back("YUBIN_ROOT=" + root_);
  options.env.push_back("PATH=" + bin_ + ":/usr/bin:/bin");
  options.cwd = dir_;
  return child.Start(AsTreeUser(argv), options);
}

bool TreeFixture::Install() {
  char tmpl[] = "/tmp/yubin-tree-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "mkdtemp failed";
    return false;
  }
  dir_ = tmpl;
  bin_ = dir_ + "/bin";
  root_ = dir_ + "/root";
  port_ = PickFreePort();
  if (!CopyBuiltPrograms(dir_, &error_)) return false;
  uid_ = getuid();
  gid_ = getgid();
  if (geteuid() == 0) {
    struct passwd* pw = getpwnam("nobody");
    if (pw == nullptr) {
      error_ = "running as root needs the account nobody";
      return false;
    }
    as_nobody_ = true;
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    if (chmod(dir_.c_str(), 0755) != 0 || chown(dir_.c_str(), uid_, gid_) != 0) {
      error_ = std::string("chown ") + dir_ + ": " + std::strerror(errno);
      return false;
    }
  }
  auto must = [&](std::vector<std::string> argv) {
    ProcessResult r = Run(argv);
    if (r.exit_code == 0) return true;
    error_ = argv[0] + ": exit " + std::to_string(r.exit_code) + ": " + r.err;
    return false;
  };
  if (!must({"yubin-mkroot", "--root", root_, "--user-mode", "--me", kTreeDomain})) return false;
  if (!must({"yubin-mktree", "--root", root_, "--user-mode", "--port", std::to_string(port_),
             "--address", "127.0.0.1"})) {
    return false;
  }
  std::string ids = std::to_string(uid_) + ":" + std::to_string(gid_);
  std::string setup = "set -e; umask 022; cd " + Quote(root_) +
                      "; mkdir -p home/kim/Maildir/tmp home/kim/Maildir/new home/kim/Maildir/cur"
                      " home/lee; echo ./Mailbox > home/lee/.qmail; "
                      "printf '=kim:kim:" + ids + ":" + root_ + "/home/kim:::\\n=lee:lee:" + ids +
                      ":" + root_ + "/home/lee:::\\n.\\n' > users/assign";
  ProcessResult r = RunProcess(AsTreeUser({"/bin/sh", "-c", setup}));
  if (r.exit_code != 0) {
    error_ = "setting up homes: " + r.err;
    return false;
  }
  return must({"yubin-newu"});
}

bool TreeFixture::SendMail(const std::vector<std::pair<int, std::string>>& messages,
                           std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  std::vector<std::pair<int, std::string>> pending = messages;
  while (!pending.empty()) {
    if (std::chrono::steady_clock::now() >= end) {
      error_ = std::to_string(pending.size()) + " messages never accepted";
      return false;
    }
    SmtpClient c;
    if (!c.Connect(port_) || Code(c.ReadReply(30s)) != "220") {
      std::this_thread::sleep_for(kPollStep);  // smtpd restarting: try again
      continue;
    }
    c.Send("EHLO client.example\r\n");
    if (Code(c.ReadReply(30s)) != "250") continue;
    std::vector<std::pair<int, std::string>> failed;
    size_t i = 0;
    for (; i < pending.size() && i < kMessagesPerSession; ++i) {
      const auto& [n, rcpt] = pending[i];
      std::string id = std::to_string(n);
      c.Send("MAIL FROM:<sender@client.example>\r\nRCPT TO:<" + rcpt + ">\r\nDATA\r\n");
      std::string a = Code(c.ReadReply(30s)), b = Code(c.ReadReply(30s)),
                  d = Code(c.ReadReply(30s));
      if (a != "250" || b != "250" || d != "354") {
        failed.push_back(pending[i]);
        c.Send("RSET\r\n");
        if (Code(c.ReadReply(30s)) != "250") {
          ++i;
          break;
        }
        continue;
      }
      c.Send("From: sender@client.example\r\nTo: " + rcpt + "\r\nSubject: m" + id +
             "\r\nMessage-ID: <" + id + "@client.example>\r\n\r\nmessage " + id + "\r\n.\r\n");
      if (Code(c.ReadReply(60s)) != "250") failed.push_back(pending[i]);
    }
    for (; i < pending.size(); ++i) failed.push_back(pending[i]);  // not tried yet
    c.Send("QUIT\r\n");
    c.ReadReply(5s);
    pending = std::move(failed);
  }
  return true;
}

std::multiset<int> TreeFixture::DeliveredTo(const std::string& path) const {
  std::multiset<int> got;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return got;
  if (S_ISREG(st.st_mode)) {
    CollectSubjects(ReadFileOrEmpty(path), &got);
    return got;
  }
  std::string dir = path + "/new";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return got;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    CollectSubjects(ReadFileOrEmpty(dir + "/" + e->d_name), &got);
  }
  closedir(d);
  return got;
}

bool TreeFixture::WaitDelivered(const std::string& path, const std::set<int>& want,
                                std::chrono::milliseconds deadline) const {
  auto end = std::chrono::steady_clock::now() + deadline;
  auto nudge = std::chrono::steady_clock::now() + kRetryNudge;
  for (;;) {
    std::multiset<int> got = DeliveredTo(path);
    bool all = true;
    for (int n : want) all = all && got.count(n) > 0;
    if (all) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= end) return false;
    if (now >= nudge) {
      SendControl(service("send"), "a");
      nudge = now + kRetryNudge;
    }
    std::this_thread::sleep_for(kPollStep);
  }
}

bool TreeFixture::Healthy() const {
  std::vector<std::string> argv = {"svstat", "-c"};
  for (const char* s : {"smtpd", "send", "local", "remote", "intake"}) {
    argv.push_back(service(s));
    argv.push_back(service(s) + "/log");
  }
  return Run(argv).exit_code == 0;
}

bool TreeFixture::WaitHealthy(std::chrono::milliseconds deadline) const {
  return WaitUntil([&] { return Healthy(); }, deadline);
}

pid_t TreeFixture::SupervisePid(const std::string& name) const {
  return LockHolder(service(name));
}

}  // namespace yubin::testing
