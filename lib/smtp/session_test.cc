#include "lib/smtp/session.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace yubin::smtp {
namespace {

control::SmtpdControl TestControl() {
  control::SmtpdControl c;
  c.me = "mx.example.com";
  c.greeting = "mx.example.com hello";
  c.localiphost = "example.com";
  c.rcpthosts = std::set<std::string>{"example.com", ".example.org"};
  c.locals = {"example.com"};
  c.badmailfrom = {"spam@bad.example", "@worse.example"};
  c.databytes = 1000;
  c.maxrcpt = 3;
  return c;
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(false); }
  void Restart(bool relay) {
    SessionConfig cfg;
    cfg.control = &control_;
    cfg.relay_client = relay;
    cfg.remote_ip = "192.0.2.7";
    cfg.remote_host = "client.example.net";
    cfg.local_ip = "192.0.2.1";
    session_ = std::make_unique<Session>(cfg);
  }
  // The reply code of one command line (CRLF added).
  std::string Code(const std::string& line) {
    last_ = session_->OnCommandLine(line + "\r");
    return last_.text.substr(0, 3);
  }
  void Ready() { ASSERT_EQ(Code("EHLO client.example.net"), "250"); }
  void InTransaction() {
    Ready();
    ASSERT_EQ(Code("MAIL FROM:<s@example.net>"), "250");
  }

  control::SmtpdControl control_ = TestControl();
  std::unique_ptr<Session> session_;
  Reply last_;
};

TEST_F(SessionTest, GreetingAndEhlo) {
  EXPECT_EQ(session_->Greeting(), "220 mx.example.com hello ESMTP\r\n");
  EXPECT_EQ(Code("EHLO c"), "250");
  EXPECT_EQ(last_.text,
            "250-mx.example.com\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
            "250-SIZE 1000\r\n250 ENHANCEDSTATUSCODES\r\n");
  EXPECT_EQ(Code("HELO c"), "250");
  EXPECT_EQ(last_.text, "250 mx.example.com\r\n");
  EXPECT_EQ(Code("EHLO"), "501");
  EXPECT_EQ(Code("HELO"), "501");
}

TEST_F(SessionTest, EveryReplyButGreetingAndEhloHasAnEnhancedCode) {
  const char* lines[] = {"NOOP", "RSET", "VRFY x", "HELP", "XYZZY", "EXPN x",
                         "MAIL FROM:<a@b.example>", "DATA", "QUIT"};
  Ready();
  for (const char* l : lines) {
    Reply r = session_->OnCommandLine(std::string(l) + "\r");
    // "NNN D.D.D" on every line.
    size_t pos = 0;
    while (pos < r.text.size()) {
      std::string line = r.text.substr(pos, r.text.find("\r\n", pos) - pos);
      ASSERT_GE(line.size(), 9u) << l;
      EXPECT_EQ(line[5], '.') << l << ": " << line;
      EXPECT_EQ(line[4], line[0]) << l << ": " << line;
      pos += line.size() + 2;
    }
  }
}

TEST_F(SessionTest, SequenceErrors) {
  EXPECT_EQ(Code("MAIL FROM:<a@b.example>"), "503");
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "503");
  EXPECT_EQ(Code("DATA"), "503");
  Ready();
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "503");
  EXPECT_EQ(Code("DATA"), "503");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example>"), "250");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example>"), "503");
  EXPECT_EQ(Code("DATA"), "503");
  EXPECT_EQ(Code("RSET"), "250");
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "503");
}

TEST_F(SessionTest, MailParameters) {
  Ready();
  EXPECT_EQ(Code("MAIL FROM:<a@b.example> SIZE=1001"), "552");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example> SIZE=x"), "501");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example> BODY=BINARYMIME"), "501");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example> AUTH=<>"), "555");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example> SIZE=1 SIZE=2"), "501");
  EXPECT_EQ(Code("MAIL FROM:a@b.example"), "501");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example> SIZE=1000 BODY=8bitmime"), "250");
  EXPECT_EQ(Code("RCPT TO:<u@example.com> NOTIFY=NEVER"), "555");
}

TEST_F(SessionTest, BadMailFrom) {
  Ready();
  EXPECT_EQ(Code("MAIL FROM:<SPAM@bad.example>"), "553");
  EXPECT_EQ(Code("MAIL FROM:<x@worse.example>"), "553");
  EXPECT_EQ(Code("MAIL FROM:<>"), "250");
  EXPECT_EQ(session_->sender(), "");
}

TEST_F(SessionTest, RelayRules) {
  InTransaction();
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "250");
  EXPECT_EQ(Code("RCPT TO:<u@elsewhere.example>"), "553");
  EXPECT_EQ(Code("RCPT TO:<u@a.example.org>"), "250");
  EXPECT_EQ(Code("RCPT TO:<u%elsewhere.example@example.com>"), "553");
  EXPECT_EQ(session_->recipients().size(), 2u);
  ASSERT_EQ(Code("RSET"), "250");
  ASSERT_EQ(Code("MAIL FROM:<s@example.net>"), "250");
  EXPECT_EQ(Code("RCPT TO:<elsewhere.example!u@example.com>"), "553");
  EXPECT_EQ(Code("RCPT TO:<\"u@elsewhere.example\"@example.com>"), "553");
  EXPECT_EQ(Code("RCPT TO:<u@elsewhere.example@[192.0.2.1]>"), "501");
  // A source route is dropped: this is u@example.com, not a relay via a.
  EXPECT_EQ(Code("RCPT TO:<@elsewhere.example:u@example.com>"), "250");
  EXPECT_EQ(session_->recipients().back(), "u@example.com");
  // [our own IP] is localiphost.
  EXPECT_EQ(Code("RCPT TO:<v@[192.0.2.1]>"), "250");
  EXPECT_EQ(session_->recipients().back(), "v@example.com");
}

TEST_F(SessionTest, UnknownLocalMailboxIs550AtRcpt) {
  std::vector<std::string> asked;
  control_.maxrcpt = 10;
  SessionConfig cfg;
  cfg.control = &control_;
  cfg.relay_client = true;  // the check applies to relay clients too
  cfg.local_ip = "192.0.2.1";
  cfg.has_mailbox = [&asked](std::string_view local) -> Result<bool> {
    asked.emplace_back(local);
    if (local == "broken") return Status::Temporary("cannot read home");
    return local == "kim" || local == "kim-ext";
  };
  session_ = std::make_unique<Session>(cfg);
  InTransaction();
  EXPECT_EQ(Code("RCPT TO:<kim@example.com>"), "250");
  EXPECT_EQ(Code("RCPT TO:<kim-ext@EXAMPLE.com>"), "250");
  EXPECT_EQ(Code("RCPT TO:<nosuch@example.com>"), "550");
  EXPECT_EQ(last_.text, "550 5.1.1 sorry, no mailbox here by that name\r\n");
  // Cannot tell: accepted, delivery decides.
  EXPECT_EQ(Code("RCPT TO:<broken@example.com>"), "250");
  // Not a locals domain (a.example.org is only in rcpthosts): not asked.
  EXPECT_EQ(Code("RCPT TO:<nosuch@a.example.org>"), "250");
  // [our own IP] is localiphost, a local domain: asked.
  EXPECT_EQ(Code("RCPT TO:<nosuch@[192.0.2.1]>"), "550");
  EXPECT_EQ(asked, (std::vector<std::string>{"kim", "kim-ext", "nosuch",
                                             "broken", "nosuch"}));
  EXPECT_EQ(session_->recipients().size(), 4u);
}

TEST_F(SessionTest, LiteralOfAnotherHostIsARelay) {
  InTransaction();
  EXPECT_EQ(Code("RCPT TO:<v@[192.0.2.99]>"), "553");
}

TEST_F(SessionTest, RelayClientMayRelay) {
  Restart(true);
  InTransaction();
  EXPECT_EQ(Code("RCPT TO:<u@elsewhere.example>"), "250");
  EXPECT_EQ(Code("RCPT TO:<u%x@elsewhere.example>"), "250");
}

TEST_F(SessionTest, NoRcpthostsRelaysNothing) {
  control_.rcpthosts.reset();
  InTransaction();
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "250") << "locals still accepted";
  EXPECT_EQ(Code("RCPT TO:<u@a.example.org>"), "553");
}

TEST_F(SessionTest, PostmasterWithoutDomain) {
  InTransaction();
  EXPECT_EQ(Code("RCPT TO:<Postmaster>"), "250");
  EXPECT_EQ(session_->recipients().back(), "Postmaster@mx.example.com");
}

TEST_F(SessionTest, MaxRcpt) {
  InTransaction();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "250");
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "452");
  EXPECT_EQ(session_->recipients().size(), 3u);
}

TEST_F(SessionTest, TooManyErrorsCloses) {
  for (int i = 0; i < kMaxErrors; ++i) {
    EXPECT_EQ(Code("BOGUS"), "500") << i;
    EXPECT_EQ(last_.action, Action::kNone);
  }
  EXPECT_EQ(Code("BOGUS"), "421");
  EXPECT_EQ(last_.action, Action::kClose);
}

TEST_F(SessionTest, HostileBytesInCommands) {
  EXPECT_EQ(session_->OnCommandLine("NOOP").text.substr(0, 3), "500");
  EXPECT_EQ(session_->OnCommandLine("NO\rOP\r").text.substr(0, 3), "500");
  EXPECT_EQ(session_->OnCommandLine(std::string("NOOP\0\r", 6)).text.substr(0, 3),
            "500");
  EXPECT_EQ(Code("HELO \xff"), "500");
  EXPECT_EQ(session_->OnLineTooLong().text.substr(0, 3), "500");
  EXPECT_EQ(Code("EXPN x"), "502");
  EXPECT_EQ(Code("VRFY"), "501");
  EXPECT_EQ(Code("VRFY x"), "252");
}

TEST_F(SessionTest, DataFlow) {
  InTransaction();
  EXPECT_EQ(Code("DATA"), "503");
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "250");
  EXPECT_EQ(Code("DATA x"), "501");
  last_ = session_->OnCommandLine("DATA\r");
  EXPECT_EQ(last_.action, Action::kStartData);
  EXPECT_EQ(last_.text, "");
  EXPECT_EQ(session_->OnDataStart(true).text.substr(0, 3), "354");
  EXPECT_TRUE(session_->in_data());
  std::string hdr = session_->ReceivedHeader(0, "1.2.3");
  EXPECT_EQ(hdr.substr(0, hdr.find(';')),
            "Received: from client.example.net (client.example.net "
            "[192.0.2.7])\n\tby mx.example.com (yubin-smtpd) with ESMTP id 1.2.3");
  QueueOutcome q{.ran = true, .exit_code = 0, .queue_id = "abc", .pid = 9};
  Reply r = session_->OnDataEnd(DataResult{}, q);
  EXPECT_EQ(r.text, "250 2.0.0 ok queued as abc\r\n");
  EXPECT_TRUE(session_->recipients().empty());
  EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "503") << "transaction is over";
}

TEST_F(SessionTest, DataEndReplies) {
  auto end_with = [&](DataResult d, QueueOutcome q) {
    InTransaction();
    EXPECT_EQ(Code("RCPT TO:<u@example.com>"), "250");
    EXPECT_EQ(session_->OnCommandLine("DATA\r").action, Action::kStartData);
    EXPECT_EQ(session_->OnDataStart(true).text.substr(0, 3), "354");
    return session_->OnDataEnd(d, q).text.substr(0, 3);
  };
  QueueOutcome ok{.ran = true, .exit_code = 0};
  EXPECT_EQ(end_with({.too_big = true}, ok), "552");
  EXPECT_EQ(end_with({.bare_cr_or_lf = true}, ok), "554");
  EXPECT_EQ(end_with({.nul = true}, ok), "554");
  EXPECT_EQ(end_with({.hops = kMaxHops + 1}, ok), "554");
  EXPECT_EQ(end_with({}, {.ran = true, .exit_code = 53}), "451");
  EXPECT_EQ(end_with({}, {.ran = true, .exit_code = 11}), "554");
  EXPECT_EQ(end_with({}, {.ran = false, .exit_code = 0}), "451");
  EXPECT_EQ(end_with({}, {.ran = true, .exit_code = -1}), "451");
  EXPECT_EQ(end_with({}, ok), "250");
}

TEST_F(SessionTest, QueueStartFailureIs451AndEndsTheTransaction) {
  InTransaction();
  ASSERT_EQ(Code("RCPT TO:<u@example.com>"), "250");
  ASSERT_EQ(session_->OnCommandLine("DATA\r").action, Action::kStartData);
  EXPECT_EQ(session_->OnDataStart(false).text.substr(0, 3), "451");
  EXPECT_EQ(Code("DATA"), "503");
  EXPECT_EQ(Code("MAIL FROM:<a@b.example>"), "250");
}

TEST(QueueExitReplyTest, QmailSmtpdMapping) {
  EXPECT_EQ(QueueExitReply(0, "x"), "250 2.0.0 ok x\r\n");
  for (int code : {11, 31, 91, 12, 40}) {
    EXPECT_EQ(QueueExitReply(code, "").substr(0, 4), "554 ") << code;
  }
  for (int code : {51, 52, 53, 54, 55, 56, 61, 62, 63, 64, 65, 66, 71, 72,
                   73, 74, 81, 1, 41, 100, 111, -1}) {
    EXPECT_EQ(QueueExitReply(code, "").substr(0, 10), "451 4.3.0 ") << code;
  }
}

}  // namespace
}  // namespace yubin::smtp
