#include "tests/smtpd_fixture.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace yubin::testing {

bool SmtpdServer::Start(const SmtpdOptions& options) {
  root_ = MakeTempDir("smtpd-root");
  queue_dir_ = root_ + "/recorded";
  log_ = root_ + "/smtpd.log";
  if (mkdir((root_ + "/control").c_str(), 0755) != 0) return false;
  if (mkdir(queue_dir_.c_str(), 0755) != 0) return false;
  for (const auto& [name, content] : options.control) {
    WriteFileOrDie(root_ + "/control/" + name, content);
  }
  std::vector<std::string> argv = {RunfilePath("cmd/tcpserver/tcpserver"), "-q", "-R", "-H",
                                   "-l", "localhost"};
  if (!options.rules.empty()) {
    WriteFileOrDie(root_ + "/rules", options.rules);
    ProcessResult r =
        RunProcess({RunfilePath("cmd/tcprules/tcprules"), root_ + "/rules.cdb",
                    root_ + "/rules.tmp"},
                   {.input = options.rules});
    if (r.exit_code != 0) return false;
    argv.push_back("-x");
    argv.push_back(root_ + "/rules.cdb");
  }
  port_ = PickFreePort();
  argv.push_back("127.0.0.1");
  argv.push_back(std::to_string(port_));
  argv.push_back(RunfilePath("cmd/yubin-smtpd/yubin-smtpd"));
  RunOptions run;
  run.env = {"YUBIN_ROOT=" + root_,
             "QMAILQUEUE=" + RunfilePath("tests/queue_recorder"),
             "QUEUE_RECORDER_DIR=" + queue_dir_, "GREETDELAY=0"};
  for (const std::string& e : options.env) run.env.push_back(e);
  if (!tcpserver_.Start(argv, run, "", log_)) return false;
  // Ready when a connection gets the greeting (or the early-talk check).
  return WaitUntil(
      [&] {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa {};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<uint16_t>(port_));
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        close(fd);
        return ok;
      },
      10s);
}

std::vector<std::string> SmtpdServer::Queued() const {
  std::vector<std::string> out;
  DIR* d = opendir(queue_dir_.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.substr(name.size() - 4) == ".env") {
      out.push_back(name.substr(0, name.size() - 4));
    }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

SmtpClient::~SmtpClient() { Close(); }

void SmtpClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool SmtpClient::Connect(int port) {
  Close();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa {};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  return connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
}

bool SmtpClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string SmtpClient::ReadReply(std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    // A reply is complete at a line "NNN " (or "NNN" alone) + CRLF.
    size_t pos = 0;
    while (true) {
      size_t nl = buf_.find("\r\n", pos);
      if (nl == std::string::npos) break;
      std::string line = buf_.substr(pos, nl - pos);
      pos = nl + 2;
      if (line.size() < 4 || line[3] == ' ') {
        std::string reply = buf_.substr(0, pos);
        buf_.erase(0, pos);
        return reply;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "TIMEOUT";
    struct pollfd p = {fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return "TIMEOUT";
    char tmp[4096];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return "";
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

bool SmtpClient::ClosedByServer(std::chrono::milliseconds deadline) {
  struct pollfd p = {fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(deadline.count())) <= 0) return false;
  char tmp[256];
  ssize_t n = recv(fd_, tmp, sizeof tmp, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

std::string Code(const std::string& reply) {
  if (reply.size() < 3) return "";
  return reply.substr(0, 3);
}

}  // namespace yubin::testing
