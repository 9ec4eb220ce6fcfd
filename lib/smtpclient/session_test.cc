// The client state machine against scripted servers on a socketpair.
#include "lib/smtpclient/session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

namespace yubin::smtpclient {
namespace {

constexpr int kTimeoutMs = 1000;

// Answers each command line with the next scripted reply ("" = say nothing
// and wait for the client to go away). After a 354 it collects the message
// up to ".", then answers with the next reply. Everything received is kept.
class ScriptedServer {
 public:
  ScriptedServer(std::string greeting, std::vector<std::string> replies)
      : greeting_(std::move(greeting)), replies_(std::move(replies)) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) std::abort();
    client_fd_ = sv[0];
    server_fd_ = sv[1];
    thread_ = std::thread([this] { Run(); });
  }
  ~ScriptedServer() {
    if (client_fd_ >= 0) close(client_fd_);
    if (thread_.joinable()) thread_.join();
    close(server_fd_);
  }
  int TakeClientFd() {
    int fd = client_fd_;
    client_fd_ = -1;
    return fd;
  }
  // Valid after the client side is closed (the session destroyed).
  std::string Received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void Say(const std::string& r) {
    std::string line = r + "\r\n";
    (void)!write(server_fd_, line.data(), line.size());
  }
  void Run() {
    Say(greeting_);
    std::string buf;
    size_t next = 0;
    bool in_data = false;
    char c;
    while (read(server_fd_, &c, 1) == 1) {
      buf.push_back(c);
      received_.push_back(c);
      if (c != '\n') continue;
      std::string line = buf;
      buf.clear();
      if (in_data) {
        if (line != ".\r\n") continue;
        in_data = false;
      }
      if (next >= replies_.size()) break;
      const std::string& r = replies_[next++];
      if (r.empty()) continue;
      Say(r);
      if (r.rfind("354", 0) == 0) in_data = true;
    }
  }
  std::string greeting_;
  std::vector<std::string> replies_;
  int client_fd_ = -1;
  int server_fd_ = -1;
  std::string received_;
  std::thread thread_;
};

struct TempMessage {
  explicit TempMessage(std::string_view text) : file(tmpfile()) {
    fwrite(text.data(), 1, text.size(), file);
    fflush(file);
    size = text.size();
  }
  ~TempMessage() { fclose(file); }
  int fd() const { return fileno(file); }
  FILE* file;
  uint64_t size;
};

OutgoingMessage Msg(const TempMessage& t, std::vector<std::string> rcpts) {
  return OutgoingMessage{"a@here", std::move(rcpts), t.fd(), t.size, false};
}

SmtpSession MakeSession(ScriptedServer& server) {
  return SmtpSession(Connection(UniqueFd(server.TakeClientFd()), kTimeoutMs),
                     {.helo_host = "me.test"}, "peer");
}

TEST(SmtpSession, PipelinedWithOneRecipientRefused) {
  ScriptedServer server(
      "220 hi", {"250-x\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 1000",
                 "250 ok", "250 ok", "550 5.1.1 no such user", "250 ok",
                 "354 go", "250 queued", "221 bye"});
  TempMessage t("hello\n.dot\n");
  {
    SmtpSession s = MakeSession(server);
    ASSERT_TRUE(s.Open().ok());
    EXPECT_TRUE(s.extensions().pipelining);
    EXPECT_EQ(s.extensions().size_limit, 1000u);
    MessageOutcome o = s.Send(Msg(t, {"b@x", "c@x", "d@x"}));
    EXPECT_EQ(o.verdict, Verdict::kAccepted) << o.text;
    ASSERT_EQ(o.recipients.size(), 3u);
    EXPECT_EQ(o.recipients[0].verdict, Verdict::kAccepted);
    EXPECT_EQ(o.recipients[1].verdict, Verdict::kPermanent);
    EXPECT_NE(o.recipients[1].text.find("550 5.1.1 no such user"),
              std::string::npos)
        << o.recipients[1].text;
    EXPECT_EQ(o.recipients[2].verdict, Verdict::kAccepted);
    s.Quit();
  }
  EXPECT_EQ(server.Received(),
            "EHLO me.test\r\nMAIL FROM:<a@here> SIZE=11\r\n"
            "RCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nRCPT TO:<d@x>\r\nDATA\r\n"
            "hello\r\n..dot\r\n.\r\nQUIT\r\n");
}

TEST(SmtpSession, HeloFallbackWithoutPipelining) {
  ScriptedServer server("220 old", {"502 what", "250 hello", "250 ok",
                                    "250 ok", "354 go", "451 try later",
                                    "221 bye"});
  TempMessage t("x\n");
  {
    SmtpSession s = MakeSession(server);
    ASSERT_TRUE(s.Open().ok());
    EXPECT_FALSE(s.extensions().esmtp);
    MessageOutcome o = s.Send(Msg(t, {"b@x"}));
    EXPECT_EQ(o.verdict, Verdict::kTemporary);
    EXPECT_EQ(o.recipients[0].verdict, Verdict::kTemporary);
    EXPECT_NE(o.text.find("failed after I sent the message"), std::string::npos)
        << o.text;
    s.Quit();
  }
  EXPECT_EQ(server.Received(),
            "EHLO me.test\r\nHELO me.test\r\nMAIL FROM:<a@here>\r\n"
            "RCPT TO:<b@x>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n");
}

TEST(SmtpSession, SenderRefusedFailsEveryRecipient) {
  ScriptedServer server("220 hi", {"250 x", "553 no senders like you",
                                   "221 bye"});
  TempMessage t("x\n");
  SmtpSession s = MakeSession(server);
  ASSERT_TRUE(s.Open().ok());
  MessageOutcome o = s.Send(Msg(t, {"b@x", "c@x"}));
  EXPECT_EQ(o.verdict, Verdict::kPermanent);
  for (const RecipientOutcome& r : o.recipients) {
    EXPECT_EQ(r.verdict, Verdict::kPermanent);
    EXPECT_NE(r.text.find("sender was rejected"), std::string::npos) << r.text;
  }
}

TEST(SmtpSession, SizeLimitRefusedLocally) {
  ScriptedServer server("220 hi", {"250-x\r\n250 SIZE 5", "221 bye"});
  TempMessage t("more than five bytes\n");
  SmtpSession s = MakeSession(server);
  ASSERT_TRUE(s.Open().ok());
  MessageOutcome o = s.Send(Msg(t, {"b@x"}));
  EXPECT_EQ(o.verdict, Verdict::kPermanent);
  EXPECT_EQ(o.recipients[0].verdict, Verdict::kPermanent);
  s.Quit();
  EXPECT_EQ(server.Received(), "EHLO me.test\r\nQUIT\r\n")
      << "the message must not be offered";
}

TEST(SmtpSession, TwoMessagesOnOneConnection) {
  ScriptedServer server("220 hi", {"250 x", "250 ok", "250 ok", "354 go",
                                   "250 one", "250 reset", "250 ok", "250 ok",
                                   "354 go", "250 two", "221 bye"});
  TempMessage t1("first\n");
  TempMessage t2("second\n");
  {
    SmtpSession s = MakeSession(server);
    ASSERT_TRUE(s.Open().ok());
    EXPECT_EQ(s.Send(Msg(t1, {"b@x"})).verdict, Verdict::kAccepted);
    MessageOutcome o = s.Send(Msg(t2, {"c@x"}));
    EXPECT_EQ(o.verdict, Verdict::kAccepted) << o.text;
    EXPECT_NE(o.text.find("250 two"), std::string::npos) << o.text;
    s.Quit();
  }
  std::string got = server.Received();
  EXPECT_NE(got.find(".\r\nRSET\r\nMAIL FROM:<a@here>\r\nRCPT TO:<c@x>\r\n"),
            std::string::npos)
      << got;
}

TEST(SmtpSession, SilentServerTimesOut) {
  ScriptedServer server("220 hi", {"250 x", ""});
  TempMessage t("x\n");
  SmtpSession s = MakeSession(server);
  ASSERT_TRUE(s.Open().ok());
  MessageOutcome o = s.Send(Msg(t, {"b@x"}));
  EXPECT_EQ(o.verdict, Verdict::kTemporary);
  EXPECT_EQ(o.recipients[0].verdict, Verdict::kTemporary);
  EXPECT_NE(o.text.find("timed out"), std::string::npos) << o.text;
  EXPECT_FALSE(s.usable());
}

TEST(SmtpSession, GreetingRefusals) {
  {
    ScriptedServer server("554 go away", {});
    SmtpSession s = MakeSession(server);
    Status st = s.Open();
    EXPECT_TRUE(st.permanent()) << st.message();
  }
  {
    ScriptedServer server("421 busy", {});
    SmtpSession s = MakeSession(server);
    Status st = s.Open();
    EXPECT_TRUE(st.temporary()) << st.message();
  }
  {
    ScriptedServer server("garbage", {});
    SmtpSession s = MakeSession(server);
    EXPECT_TRUE(s.Open().temporary());
  }
}

TEST(SmtpSession, EightBitAndNullSender) {
  ScriptedServer server("220 hi", {"250-x\r\n250 8BITMIME", "250 ok", "250 ok",
                                   "354 go", "250 ok", "221 bye"});
  TempMessage t("caf\xc3\xa9\n");
  {
    SmtpSession s = MakeSession(server);
    ASSERT_TRUE(s.Open().ok());
    OutgoingMessage m = Msg(t, {"b@x"});
    m.sender = "";
    m.eight_bit = true;
    EXPECT_EQ(s.Send(m).verdict, Verdict::kAccepted);
    s.Quit();
  }
  EXPECT_NE(server.Received().find("MAIL FROM:<> BODY=8BITMIME\r\n"),
            std::string::npos)
      << server.Received();
}

TEST(SmtpSession, AddressesWithControlBytesAreNeverSent) {
  ScriptedServer server("220 hi", {"250 x", "250 ok", "250 ok", "354 go",
                                   "250 ok", "221 bye"});
  TempMessage t("x\n");
  {
    SmtpSession s = MakeSession(server);
    ASSERT_TRUE(s.Open().ok());
    MessageOutcome bad_sender =
        s.Send(OutgoingMessage{"a@b>\r\nRSET", {"b@x"}, t.fd(), t.size, false});
    EXPECT_EQ(bad_sender.verdict, Verdict::kPermanent);
    EXPECT_EQ(bad_sender.recipients[0].verdict, Verdict::kPermanent);
    MessageOutcome o = s.Send(Msg(t, {"evil@x>\r\nDATA", "good@x"}));
    EXPECT_EQ(o.verdict, Verdict::kAccepted) << o.text;
    EXPECT_EQ(o.recipients[0].verdict, Verdict::kPermanent);
    EXPECT_EQ(o.recipients[1].verdict, Verdict::kAccepted);
    s.Quit();
  }
  EXPECT_EQ(server.Received(),
            "EHLO me.test\r\nMAIL FROM:<a@here>\r\nRCPT TO:<good@x>\r\n"
            "DATA\r\nx\r\n.\r\nQUIT\r\n");
}

TEST(SmtpSession, AllRecipientsRefusedPipelined) {
  ScriptedServer server("220 hi",
                        {"250-x\r\n250 PIPELINING", "250 ok", "450 full",
                         "550 gone", "554 no valid recipients", "221 bye"});
  TempMessage t("x\n");
  SmtpSession s = MakeSession(server);
  ASSERT_TRUE(s.Open().ok());
  MessageOutcome o = s.Send(Msg(t, {"b@x", "c@x"}));
  EXPECT_EQ(o.verdict, Verdict::kTemporary);
  EXPECT_EQ(o.recipients[0].verdict, Verdict::kTemporary);
  EXPECT_EQ(o.recipients[1].verdict, Verdict::kPermanent);
  EXPECT_TRUE(s.usable());
}

}  // namespace
}  // namespace yubin::smtpclient
