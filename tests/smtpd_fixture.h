// smtpd_fixture.h: yubin-smtpd under yubin's tcpserver, for tests.
//
//   SmtpdServer server;
//   ASSERT_TRUE(server.Start({.control = {{"rcpthosts", "example.com\n"}}}));
//   SmtpClient c;
//   ASSERT_TRUE(c.Connect(server.port()));
//   EXPECT_EQ(Code(c.ReadReply()), "220");
//   c.Send("QUIT\r\n");
//
// The server runs the real binary in a fresh root (ROOT/control from the
// options), on a loopback port picked at run time, with the queue recorder
// (tests/queue_recorder.cc) as $QMAILQUEUE storing into queue_dir().
// Everything it starts is killed when the object goes away.
#ifndef YUBIN_TESTS_SMTPD_FIXTURE_H_
#define YUBIN_TESTS_SMTPD_FIXTURE_H_

#include <map>
#include <string>
#include <vector>

#include "tests/harness/harness.h"

namespace yubin::testing {

struct SmtpdOptions {
  std::map<std::string, std::string> control;  // file name -> content
  std::vector<std::string> env;                // "NAME=value" for smtpd
  std::string rules;  // tcprules source; compiled with yubin's tcprules
};

class SmtpdServer {
 public:
  bool Start(const SmtpdOptions& options);
  int port() const { return port_; }
  const std::string& root() const { return root_; }
  const std::string& queue_dir() const { return queue_dir_; }
  // Messages the recorder stored: base names (without .msg/.env).
  std::vector<std::string> Queued() const;
  std::string Log() const { return ReadFileOrEmpty(log_); }

 private:
  ChildProcess tcpserver_;
  int port_ = -1;
  std::string root_;
  std::string queue_dir_;
  std::string log_;
};

// A raw SMTP client on a loopback TCP connection.
class SmtpClient {
 public:
  SmtpClient() = default;
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  bool Connect(int port);
  bool Send(std::string_view bytes);
  // One whole reply (all its lines), "" at end of file, "TIMEOUT" when
  // nothing complete came within the deadline.
  std::string ReadReply(std::chrono::milliseconds deadline = 10s);
  // True when the server closed the connection (within the deadline).
  bool ClosedByServer(std::chrono::milliseconds deadline = 10s);
  void Close();

 private:
  int fd_ = -1;
  std::string buf_;
};

// The three-digit code of a reply ("" when there is none).
std::string Code(const std::string& reply);

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_SMTPD_FIXTURE_H_
