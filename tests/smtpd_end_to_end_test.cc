// yubin-smtpd end to end: real clients (swaks, Python's smtplib, a client
// that pipelines everything) under yubin's tcpserver, into the queue
// recorder; the stored message and envelope are checked byte for byte.
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/smtpd_fixture.h"

namespace yubin::testing {
namespace {

// Everything after our own Received: line (three lines).
std::string AfterReceived(const std::string& msg) {
  if (msg.rfind("Received: from ", 0) != 0) return "NO RECEIVED LINE: " + msg;
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    pos = msg.find('\n', pos);
    if (pos == std::string::npos) return "SHORT: " + msg;
    ++pos;
  }
  return msg.substr(pos);
}

std::string Envelope(const std::string& sender,
                     const std::vector<std::string>& rcpts) {
  std::string e = "F" + sender + std::string(1, '\0');
  for (const std::string& r : rcpts) e += "T" + r + std::string(1, '\0');
  return e + std::string(1, '\0');
}

class SmtpdEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/swaks",
                             "/usr/bin/python3"}) {
      if (access(tool, X_OK) != 0) {
        GTEST_SKIP() << tool << " is not installed; tools/test installs it";
      }
    }
    ASSERT_TRUE(server_.Start({.control = {{"me", "mx.test\n"},
                                           {"rcpthosts", "example.com\n"},
                                           {"databytes", "1000000\n"}}}));
  }
  // The one message the recorder holds: its text and envelope.
  void OnlyMessage(std::string* msg, std::string* env) {
    std::vector<std::string> q = server_.Queued();
    ASSERT_EQ(q.size(), 1u) << "queued messages";
    *msg = ReadFileOrEmpty(server_.queue_dir() + "/" + q[0] + ".msg");
    *env = ReadFileOrEmpty(server_.queue_dir() + "/" + q[0] + ".env");
  }
  SmtpdServer server_;
};

TEST_F(SmtpdEndToEndTest, Swaks) {
  ProcessResult r = RunProcess(
      {"/usr/bin/swaks", "--server", "127.0.0.1", "--port",
       std::to_string(server_.port()), "--helo", "client.test", "--from",
       "alice@sender.test", "--to", "u@example.com,v@Example.COM", "--header",
       "Subject: via swaks", "--body", "hello from swaks", "--silent", "2"},
      {.timeout = 30s});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string msg, env;
  OnlyMessage(&msg, &env);
  EXPECT_EQ(env, Envelope("alice@sender.test", {"u@example.com", "v@Example.COM"}));
  EXPECT_EQ(msg.rfind("Received: from client.test ([127.0.0.1])\n\tby mx.test "
                      "(yubin-smtpd) with ESMTP id ", 0),
            0u)
      << msg;
  EXPECT_NE(AfterReceived(msg).find("Subject: via swaks\n"), std::string::npos) << msg;
  EXPECT_NE(AfterReceived(msg).find("\n\nhello from swaks\n"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\r'), std::string::npos) << "queue gets LF line ends";
}

TEST_F(SmtpdEndToEndTest, SwaksPipelining) {
  ProcessResult r = RunProcess(
      {"/usr/bin/swaks", "--pipeline", "--server", "127.0.0.1", "--port",
       std::to_string(server_.port()), "--from", "p@sender.test", "--to",
       "u@example.com", "--body", "pipelined", "--silent", "2"},
      {.timeout = 30s});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string msg, env;
  OnlyMessage(&msg, &env);
  EXPECT_EQ(env, Envelope("p@sender.test", {"u@example.com"}));
}

constexpr char kSmtplibScript[] = R"PY(
import smtplib, sys
port = int(sys.argv[1])
# smtplib sends bytes as they are: the client's job is CRLF line ends.
body = sys.stdin.buffer.read().replace(b"\n", b"\r\n")
s = smtplib.SMTP("127.0.0.1", port, local_hostname="py.test", timeout=20)
code, _ = s.ehlo()
assert code == 250, code
for f in ("pipelining", "8bitmime", "size", "enhancedstatuscodes"):
    assert s.has_extn(f), f
assert s.esmtp_features["size"] == "1000000", s.esmtp_features
refused = s.sendmail("py@sender.test", ["u@example.com", "x@elsewhere.test"],
                     body, mail_options=["BODY=8BITMIME"])
assert list(refused) == ["x@elsewhere.test"], refused
code, msg = s.docmd("VRFY", "u")
assert code == 252, code
s.quit()
print("ok")
)PY";

TEST_F(SmtpdEndToEndTest, PythonSmtplibWithEightBitBody) {
  // 8-bit text, every byte from 0x80 to 0xff, lines starting with dots,
  // a line that is only a dot, and a long line.
  std::string body = "Subject: =?utf-8?q?8bit?=\nContent-Type: text/plain; "
                     "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                     "caf\xc3\xa9 \xe9\x83\xb5\xe4\xbe\xbf\n";
  for (int c = 0x80; c <= 0xff; ++c) body.push_back(static_cast<char>(c));
  body += "\n.leading dot\n..two dots\n.\n" + std::string(900, 'y') + "\nend\n";
  ProcessResult r = RunProcess(
      {"/usr/bin/python3", "-c", kSmtplibScript, std::to_string(server_.port())},
      {.input = body, .timeout = 30s});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "ok\n");
  std::string msg, env;
  OnlyMessage(&msg, &env);
  EXPECT_EQ(env, Envelope("py@sender.test", {"u@example.com"}));
  EXPECT_EQ(AfterReceived(msg), body) << "the body must arrive byte for byte";
}

TEST_F(SmtpdEndToEndTest, ClientThatPipelinesEverything) {
  SmtpClient c;
  ASSERT_TRUE(c.Connect(server_.port()));
  ASSERT_EQ(Code(c.ReadReply()), "220");
  // Two whole transactions, an error, and QUIT in one write, the message
  // text included (not even waiting for 354).
  ASSERT_TRUE(c.Send(
      "EHLO pipe.test\r\nMAIL FROM:<a@sender.test>\r\nRCPT TO:<u@example.com>\r\n"
      "RCPT TO:<no@elsewhere.test>\r\nRCPT TO:<v@example.com>\r\nDATA\r\n"
      "Subject: one\r\n\r\nfirst\r\n.\r\n"
      "RSET\r\nMAIL FROM:<>\r\nRCPT TO:<w@example.com>\r\nDATA\r\n"
      "Subject: two\r\n\r\nsecond \xff\r\n.\r\nNOOP\r\nQUIT\r\n"));
  std::vector<std::string> want = {"250", "250", "250", "553", "250", "354",
                                   "250", "250", "250", "250", "354", "250",
                                   "250", "221"};
  for (size_t i = 0; i < want.size(); ++i) {
    std::string reply = c.ReadReply();
    EXPECT_EQ(Code(reply), want[i]) << "reply " << i << ": got " << reply;
  }
  EXPECT_TRUE(c.ClosedByServer());
  std::vector<std::string> q = server_.Queued();
  ASSERT_EQ(q.size(), 2u);
  std::vector<std::string> envs, bodies;
  for (const std::string& id : q) {
    envs.push_back(ReadFileOrEmpty(server_.queue_dir() + "/" + id + ".env"));
    bodies.push_back(
        AfterReceived(ReadFileOrEmpty(server_.queue_dir() + "/" + id + ".msg")));
  }
  // Queue ids are pids and may sort either way.
  if (bodies[0] != "Subject: one\n\nfirst\n") {
    std::swap(envs[0], envs[1]);
    std::swap(bodies[0], bodies[1]);
  }
  EXPECT_EQ(bodies[0], "Subject: one\n\nfirst\n");
  EXPECT_EQ(envs[0], Envelope("a@sender.test", {"u@example.com", "v@example.com"}));
  EXPECT_EQ(bodies[1], "Subject: two\n\nsecond \xff\n");
  EXPECT_EQ(envs[1], Envelope("", {"w@example.com"}));
}

TEST_F(SmtpdEndToEndTest, ReplyCarriesTheQueueId) {
  SmtpClient c;
  ASSERT_TRUE(c.Connect(server_.port()));
  ASSERT_EQ(Code(c.ReadReply()), "220");
  ASSERT_TRUE(c.Send("HELO h.test\r\nMAIL FROM:<a@sender.test>\r\n"
                     "RCPT TO:<u@example.com>\r\nDATA\r\n"));
  for (const char* code : {"250", "250", "250", "354"}) {
    ASSERT_EQ(Code(c.ReadReply()), code);
  }
  ASSERT_TRUE(c.Send("x\r\n.\r\n"));
  std::string reply = c.ReadReply();
  std::vector<std::string> q = server_.Queued();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(reply, "250 2.0.0 ok queued as " + q[0] + "\r\n");
  std::string msg = ReadFileOrEmpty(server_.queue_dir() + "/" + q[0] + ".msg");
  EXPECT_NE(msg.find("with SMTP id "), std::string::npos) << "HELO means SMTP";
}

}  // namespace
}  // namespace yubin::testing
