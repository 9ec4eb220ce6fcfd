#include "tests/tcpserver_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace yubin::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool FillAddress(const std::string& ip, int port, sockaddr_storage* ss,
                 socklen_t* len) {
  memset(ss, 0, sizeof *ss);
  auto* in = reinterpret_cast<sockaddr_in*>(ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, ip.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *in;
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *in6;
    return true;
  }
  return false;
}

int MillisLeft(Clock::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      end - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

UniqueSocket& UniqueSocket::operator=(UniqueSocket&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

UniqueSocket::~UniqueSocket() { Close(); }

void UniqueSocket::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool RunningServer::Start(std::vector<std::string> argv,
                          const RunOptions& options) {
  std::string dir = MakeTempDir("server");
  std::string port_path = dir + "/port";
  log_path_ = dir + "/log";
  argv.insert(argv.begin() + 1, "-1");
  if (!process_.Start(argv, options, port_path, log_path_)) return false;
  bool ok = WaitUntil(
      [&] {
        std::string text = ReadFileOrEmpty(port_path);
        return !text.empty() && text.back() == '\n';
      },
      10s);
  if (!ok) return false;
  port_ = std::stoi(ReadFileOrEmpty(port_path));
  return port_ > 0;
}

UniqueSocket Connect(const std::string& ip, int port,
                     const std::string& source) {
  sockaddr_storage ss;
  socklen_t len;
  if (!FillAddress(ip, port, &ss, &len)) return UniqueSocket();
  UniqueSocket s(socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return s;
  if (!source.empty()) {
    sockaddr_storage src;
    socklen_t src_len;
    if (!FillAddress(source, 0, &src, &src_len) ||
        bind(s.get(), reinterpret_cast<sockaddr*>(&src), src_len) != 0)
      return UniqueSocket();
  }
  if (connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return UniqueSocket();
  return s;
}

std::string ReadUntilEof(int fd, std::chrono::milliseconds deadline,
                         bool* eof) {
  std::string out;
  const Clock::time_point end = Clock::now() + deadline;
  if (eof) *eof = false;
  for (;;) {
    pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, MillisLeft(end));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return out;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (eof) *eof = true;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

bool ReadUntil(int fd, const std::string& text,
               std::chrono::milliseconds deadline, std::string* got) {
  std::string out;
  const Clock::time_point end = Clock::now() + deadline;
  while (out.find(text) == std::string::npos) {
    pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, MillisLeft(end));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  if (got) *got = out;
  return out.find(text) != std::string::npos;
}

bool SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::map<std::string, std::string> ParseEnv(const std::string& text) {
  std::map<std::string, std::string> env;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
    start = nl + 1;
  }
  return env;
}

std::string OurTcpserver() { return RunfilePath("cmd/tcpserver/tcpserver"); }
std::string OurTcprules() { return RunfilePath("cmd/tcprules/tcprules"); }
std::string OurTcprulescheck() {
  return RunfilePath("cmd/tcprulescheck/tcprulescheck");
}

std::string CompileRules(const std::string& tcprules, const std::string& dir,
                         const std::string& name, const std::string& rules) {
  std::string cdb = dir + "/" + name + ".cdb";
  ProcessResult r =
      RunProcess({tcprules, cdb, dir + "/" + name + ".tmp"}, {.input = rules});
  if (r.exit_code != 0) return "";
  return cdb;
}

}  // namespace yubin::testing
