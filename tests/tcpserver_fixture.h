// tcpserver_fixture.h: starting a tcpserver (yubin's or ucspi-tcp's) on a
// loopback port it picks itself (-1 with port 0), and talking to it.
//
//   RunningServer s;
//   ASSERT_TRUE(s.Start({OurTcpserver(), "-v", "-x", cdb, "127.0.0.1", "0",
//                        "env"}));            // "-1" is added
//   UniqueSocket c = Connect("127.0.0.1", s.port(), "127.0.0.2");
//   std::string out = ReadUntilEof(c.get(), 5s);
//
// Every wait has a deadline; the server process group is killed when the
// RunningServer goes away.
#ifndef YUBIN_TESTS_TCPSERVER_FIXTURE_H_
#define YUBIN_TESTS_TCPSERVER_FIXTURE_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/harness/harness.h"

namespace yubin::testing {

class UniqueSocket {
 public:
  UniqueSocket() = default;
  explicit UniqueSocket(int fd) : fd_(fd) {}
  UniqueSocket(UniqueSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueSocket& operator=(UniqueSocket&& o) noexcept;
  ~UniqueSocket();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Close();

 private:
  int fd_ = -1;
};

class RunningServer {
 public:
  // Starts argv with "-1" inserted after argv[0]; waits for the port line.
  bool Start(std::vector<std::string> argv, const RunOptions& options = {});
  int port() const { return port_; }
  std::string Log() const { return ReadFileOrEmpty(log_path_); }
  bool LogContains(const std::string& text) const {
    return Log().find(text) != std::string::npos;
  }
  ChildProcess& process() { return process_; }

 private:
  ChildProcess process_;
  std::string log_path_;
  int port_ = -1;
};

// A connection to ip:port from source (empty: any), or an invalid socket.
UniqueSocket Connect(const std::string& ip, int port,
                     const std::string& source = "");

// Reads until end of file or the deadline; *eof tells which.
std::string ReadUntilEof(int fd, std::chrono::milliseconds deadline,
                         bool* eof = nullptr);
// Reads until text has arrived (true) or the deadline passes (false).
bool ReadUntil(int fd, const std::string& text,
               std::chrono::milliseconds deadline, std::string* got = nullptr);
bool SendAll(int fd, const std::string& data);

// "NAME=value" lines to a map.
std::map<std::string, std::string> ParseEnv(const std::string& text);

// Our binaries and the Debian peers.
std::string OurTcpserver();
std::string OurTcprules();
std::string OurTcprulescheck();
inline constexpr char kUcspiTcpserver[] = "/usr/bin/tcpserver";
inline constexpr char kUcspiTcprules[] = "/usr/bin/tcprules";
inline constexpr char kUcspiTcprulescheck[] = "/usr/bin/tcprulescheck";

// Compiles rules into dir/name.cdb with the given tcprules; returns the path.
std::string CompileRules(const std::string& tcprules, const std::string& dir,
                         const std::string& name, const std::string& rules);

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_TCPSERVER_FIXTURE_H_
