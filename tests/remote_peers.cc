#include "tests/remote_peers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace yubin::testing {
namespace {

bool CanConnect(const std::string& ip, int port) {
  bool v6 = ip.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  close(fd);
  return ok;
}

}  // namespace

bool Dnsmasq::Start(const std::vector<std::string>& records) {
  port_ = PickFreePort();
  log_ = MakeTempDir("dnsmasq") + "/log";
  std::vector<std::string> argv = {
      "/usr/sbin/dnsmasq", "--port=" + std::to_string(port_), "--no-daemon",
      "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
      "--bind-interfaces", "--local=/test/", "--log-facility=-",
      "--user=root", "--pid-file="};
  for (const std::string& r : records) argv.push_back(r);
  if (!proc_.Start(argv, {}, log_, log_)) return false;
  return WaitUntil(
      [&] {
        return ReadFileOrEmpty(log_).find("started") != std::string::npos;
      },
      10s);
}

bool SmtpSink::Start(const std::string& ip, const std::vector<std::string>& extra,
                     int port) {
  port_ = port != 0 ? port : PickFreePort();
  dir_ = MakeTempDir("sink");
  std::vector<std::string> argv = {"/usr/sbin/smtp-sink", "-d", dir_ + "/%M."};
  // As root smtp-sink insists on -u; it stays root so that it can write its
  // dumps under the test's private temporary directory.
  if (geteuid() == 0) {
    argv.push_back("-u");
    argv.push_back("root");
  }
  for (const std::string& e : extra) argv.push_back(e);
  bool v6 = ip.find(':') != std::string::npos;
  argv.push_back((v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port_));
  argv.push_back("10");
  log_ = dir_ + ".log";
  if (!proc_.Start(argv, {}, "", log_)) return false;
  return WaitUntil([&] { return CanConnect(ip, port_); }, 10s);
}

std::vector<std::string> SmtpSink::Dumps() const {
  std::vector<std::string> names;
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& n : names) out.push_back(ReadFileOrEmpty(dir_ + "/" + n));
  return out;
}

SilentListener::~SilentListener() {
  if (filler_fd_ >= 0) close(filler_fd_);
  if (listen_fd_ >= 0) close(listen_fd_);
}

bool SilentListener::Start(const std::string& ip, int port, bool backlog_full) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return false;
  }
  if (listen(listen_fd_, backlog_full ? 0 : 16) != 0) return false;
  if (backlog_full) {
    // One connection fills a backlog of 0; later SYNs are dropped.
    filler_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(filler_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> SplitReport(const std::string& out) {
  std::vector<std::string> records;
  size_t start = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\0') {
      records.push_back(out.substr(start, i - start));
      start = i + 1;
    }
  }
  if (start != out.size()) records.push_back("UNTERMINATED:" + out.substr(start));
  return records;
}

}  // namespace yubin::testing
