// The hostile-input catalogue of yubin-smtpd, case by case, against the real
// binary under yubin's tcpserver: every step asserts the exact reply code.
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/smtpd_fixture.h"

namespace yubin::testing {
namespace {

struct Step {
  std::string send;  // bytes to send (may be empty: just read)
  std::string want;  // reply code, or "EOF": the server closes
};

struct Case {
  const char* name;
  std::vector<Step> steps;
  int queued = 0;           // messages the case must leave in the queue
  bool pregreet = false;    // the first step is sent before the greeting
};

const Step kEhlo = {"EHLO client.test\r\n", "250"};
const Step kMail = {"MAIL FROM:<s@sender.test>\r\n", "250"};
const Step kRcpt = {"RCPT TO:<u@example.com>\r\n", "250"};
const Step kData = {"DATA\r\n", "354"};
const Step kNoop = {"NOOP\r\n", "250"};

std::string Headers(const std::string& name, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += name + ": hop " + std::to_string(i) + "\r\n";
  return out;
}

const std::vector<Case>& Catalogue() {
  static const std::vector<Case> cases = {
      // Command lines: 512 bytes with CRLF is the limit.
      {"line_of_512_bytes", {{"NOOP " + std::string(505, 'a') + "\r\n", "250"}}},
      {"line_of_513_bytes",
       {{"NOOP " + std::string(506, 'a') + "\r\n", "500"}, kNoop}},
      {"line_of_100k_bytes",
       {{"NOOP " + std::string(100000, 'a') + "\r\n", "500"}, kNoop}},
      {"bare_lf_command", {{"NOOP\n", "500"}, kNoop}},
      {"bare_cr_command", {{"NO\rOP\r\n", "500"}, kNoop}},
      {"bare_cr_command_end", {{"NOOP\r\r\n", "500"}, kNoop}},
      {"nul_in_command", {{std::string("NOOP\0x\r\n", 8), "500"}, kNoop}},
      {"eight_bit_in_command", {{"HELO caf\xc3\xa9\r\n", "500"}, kNoop}},
      {"control_byte_in_command", {{"HELO a\x01\r\n", "500"}}},
      {"unknown_verb", {{"XYZZY\r\n", "500"}, {"MAILFROM:<a@b.test>\r\n", "500"}}},
      {"not_implemented_verbs",
       {{"EXPN staff\r\n", "502"}, {"TURN\r\n", "502"}, {"ETRN x\r\n", "502"},
        {"STARTTLS\r\n", "502"}}},
      // Sequence.
      {"mail_before_helo", {{"MAIL FROM:<s@sender.test>\r\n", "503"}}},
      {"rcpt_before_mail", {kEhlo, {"RCPT TO:<u@example.com>\r\n", "503"}}},
      {"data_before_rcpt", {kEhlo, {"DATA\r\n", "503"}, kMail, {"DATA\r\n", "503"}}},
      {"nested_mail", {kEhlo, kMail, {"MAIL FROM:<t@sender.test>\r\n", "503"}}},
      {"rset_ends_transaction",
       {kEhlo, kMail, kRcpt, {"RSET\r\n", "250"}, {"DATA\r\n", "503"}}},
      // Missing arguments.
      {"helo_without_name", {{"HELO\r\n", "501"}, {"EHLO \r\n", "501"}}},
      {"mail_without_from", {kEhlo, {"MAIL\r\n", "501"}, {"MAIL FROM:\r\n", "501"}}},
      {"rcpt_without_to", {kEhlo, kMail, {"RCPT\r\n", "501"}, {"RCPT TO:\r\n", "501"}}},
      {"vrfy_without_argument", {{"VRFY\r\n", "501"}, {"VRFY someone\r\n", "252"}}},
      {"data_with_argument", {kEhlo, kMail, kRcpt, {"DATA now\r\n", "501"}}},
      // Paths.
      {"path_without_brackets", {kEhlo, {"MAIL FROM:s@sender.test\r\n", "501"}}},
      {"path_two_ats", {kEhlo, {"MAIL FROM:<s@a@sender.test>\r\n", "501"}}},
      {"path_bad_domain",
       {kEhlo, kMail, {"RCPT TO:<u@exa..mple.com>\r\n", "501"},
        {"RCPT TO:<u@-example.com>\r\n", "501"},
        {"RCPT TO:<u@[999.1.1.1]>\r\n", "501"}}},
      {"path_unterminated", {kEhlo, {"MAIL FROM:<s@sender.test\r\n", "501"}}},
      {"source_route_ignored",
       {kEhlo, kMail, {"RCPT TO:<@relay.test,@other.test:u@example.com>\r\n", "250"},
        kData, {"Subject: r\r\n\r\nbody\r\n.\r\n", "250"}},
       1},
      {"local_part_64", {kEhlo, kMail, {"RCPT TO:<" + std::string(64, 'l') + "@example.com>\r\n", "250"}}},
      {"local_part_65", {kEhlo, kMail, {"RCPT TO:<" + std::string(65, 'l') + "@example.com>\r\n", "501"}}},
      {"domain_over_255",
       // 4 labels of 63 and ".test": 260 bytes.
       {kEhlo, {"MAIL FROM:<s@" + std::string(63, 'd') + "." + std::string(63, 'd') +
                    "." + std::string(63, 'd') + "." + std::string(63, 'd') +
                    ".test>\r\n", "501"}}},
      {"path_over_256",
       // Local part 59, domain 195: each fine, the path is 257 bytes.
       {kEhlo, {"MAIL FROM:<" + std::string(59, 's') + "@" + std::string(63, 'd') +
                    "." + std::string(63, 'd') + "." + std::string(62, 'd') +
                    ".test>\r\n", "501"}}},
      {"path_of_256",
       {kEhlo, {"MAIL FROM:<" + std::string(58, 's') + "@" + std::string(63, 'd') +
                    "." + std::string(63, 'd') + "." + std::string(62, 'd') +
                    ".test>\r\n", "250"}}},
      // Parameters and sizes (databytes 2000).
      {"unknown_mail_parameter", {kEhlo, {"MAIL FROM:<s@sender.test> FOO=bar\r\n", "555"}}},
      {"unknown_rcpt_parameter",
       {kEhlo, kMail, {"RCPT TO:<u@example.com> NOTIFY=NEVER\r\n", "555"}}},
      {"size_within_limit", {kEhlo, {"MAIL FROM:<s@sender.test> SIZE=2000 BODY=8BITMIME\r\n", "250"}}},
      {"size_over_limit", {kEhlo, {"MAIL FROM:<s@sender.test> SIZE=2001\r\n", "552"}}},
      {"oversize_data_read_to_the_end",
       {kEhlo, kMail, kRcpt, kData,
        {"Subject: big\r\n\r\n" + std::string(3000, 'x') + "\r\n.\r\n", "552"},
        kNoop}},
      {"maxrcpt",
       {kEhlo, kMail, kRcpt, kRcpt, kRcpt, kRcpt, kRcpt,
        {"RCPT TO:<u@example.com>\r\n", "452"}}},
      // Mail loops.
      {"received_100_accepted",
       {kEhlo, kMail, kRcpt, kData,
        {Headers("Received", 60) + Headers("Delivered-To", 40) + "\r\nx\r\n.\r\n", "250"}},
       1},
      {"received_101_is_a_loop",
       {kEhlo, kMail, kRcpt, kData,
        {Headers("Received", 61) + Headers("Delivered-To", 40) + "\r\nx\r\n.\r\n", "554"},
        kNoop}},
      // Smuggling: only <CRLF>.<CRLF> ends the data; the rest is refused.
      {"lf_dot_lf_never_ends_data",
       {kEhlo, kMail, kRcpt, kData,
        {"Subject: s\r\n\r\nx\n.\nMAIL FROM:<evil@sender.test>\r\n"
         "RCPT TO:<u@example.com>\r\nDATA\r\nsmuggled\r\n.\r\n",
         "554"},
        kNoop}},
      {"lf_dot_crlf_never_ends_data",
       {kEhlo, kMail, kRcpt, kData,
        {"x\n.\r\nNOOP\r\n\r\n.\r\n", "554"}, kNoop}},
      {"cr_dot_cr_never_ends_data",
       {kEhlo, kMail, kRcpt, kData, {"x\r.\rNOOP\r\n\r\n.\r\n", "554"}, kNoop}},
      {"bare_cr_in_data",
       {kEhlo, kMail, kRcpt, kData, {"a\rb\r\n.\r\n", "554"}}},
      {"nul_in_data",
       {kEhlo, kMail, kRcpt, kData, {std::string("a\0b\r\n.\r\n", 8), "554"}}},
      // Relaying.
      {"relay_denied", {kEhlo, kMail, {"RCPT TO:<u@elsewhere.test>\r\n", "553"}}},
      {"percent_hack_denied",
       {kEhlo, kMail, {"RCPT TO:<u%elsewhere.test@example.com>\r\n", "553"}}},
      {"bang_path_denied",
       {kEhlo, kMail, {"RCPT TO:<elsewhere.test!u@example.com>\r\n", "553"}}},
      {"quoted_at_denied",
       {kEhlo, kMail, {"RCPT TO:<\"u@elsewhere.test\"@example.com>\r\n", "553"}}},
      {"route_to_other_host_denied",
       {kEhlo, kMail, {"RCPT TO:<@example.com:u@elsewhere.test>\r\n", "553"}}},
      {"double_at_literal_refused",
       {kEhlo, kMail, {"RCPT TO:<u@elsewhere.test@[127.0.0.1]>\r\n", "501"}}},
      {"badmailfrom", {kEhlo, {"MAIL FROM:<spam@bad.test>\r\n", "553"}}},
      // The ordinary verbs.
      {"ordinary_verbs",
       {{"HELP\r\n", "214"}, kNoop, {"RSET\r\n", "250"}, {"VRFY u\r\n", "252"},
        {"HELO client.test\r\n", "250"}, {"QUIT\r\n", "221"}, {"", "EOF"}}},
      // Errors: ten are answered, the eleventh closes the connection.
      {"too_many_errors",
       {{"BOGUS\r\n", "500"}, {"BOGUS\r\n", "500"}, {"BOGUS\r\n", "500"},
        {"BOGUS\r\n", "500"}, {"BOGUS\r\n", "500"}, {"BOGUS\r\n", "500"},
        {"BOGUS\r\n", "500"}, {"BOGUS\r\n", "500"}, {"BOGUS\r\n", "500"},
        {"BOGUS\r\n", "500"}, {"BOGUS\r\n", "421"}, {"", "EOF"}}},
      // timeoutsmtpd is 2 seconds here.
      {"idle_timeout", {kEhlo, {"", "421"}, {"", "EOF"}}},
      {"idle_timeout_in_data", {kEhlo, kMail, kRcpt, kData, {"partial", "421"}, {"", "EOF"}}},
      // GREETDELAY is 100 ms here.
      {"input_before_greeting", {{"EHLO early.test\r\n", "554"}, {"", "EOF"}}, 0, true},
      {"plain_message",
       {kEhlo, kMail, kRcpt, kData, {"Subject: ok\r\n\r\nfine\r\n.\r\n", "250"},
        {"QUIT\r\n", "221"}},
       1},
  };
  return cases;
}

bool HasEnhancedCodes(const std::string& reply) {
  static const std::regex kLine("[245][0-9][0-9][ -][245]\\.[0-9]{1,3}\\.[0-9]{1,3}( .*)?");
  size_t pos = 0;
  while (pos < reply.size()) {
    size_t end = reply.find("\r\n", pos);
    if (end == std::string::npos) return false;
    if (!std::regex_match(reply.substr(pos, end - pos), kLine)) return false;
    pos = end + 2;
  }
  return true;
}

class SmtpdCatalogueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SmtpdServer;
    ASSERT_TRUE(server_->Start({
        .control = {{"me", "mx.test\n"},
                    {"rcpthosts", "example.com\n"},
                    {"databytes", "2000\n"},
                    {"maxrcpt", "5\n"},
                    {"timeoutsmtpd", "2\n"},
                    {"badmailfrom", "spam@bad.test\n"}},
        .env = {"GREETDELAY=100"},
    }));
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << "server did not start"; }
  static SmtpdServer* server_;
};
SmtpdServer* SmtpdCatalogueTest::server_ = nullptr;

TEST_F(SmtpdCatalogueTest, EveryCaseGetsItsExactReplies) {
  for (const Case& c : Catalogue()) {
    SCOPED_TRACE(c.name);
    size_t before = server_->Queued().size();
    SmtpClient client;
    ASSERT_TRUE(client.Connect(server_->port()));
    size_t first = 0;
    if (c.pregreet) {
      ASSERT_TRUE(client.Send(c.steps[0].send));
      std::string reply = client.ReadReply();
      EXPECT_EQ(Code(reply), c.steps[0].want) << "got " << reply;
      first = 1;
    } else {
      std::string greeting = client.ReadReply();
      ASSERT_EQ(Code(greeting), "220") << "got " << greeting;
    }
    for (size_t i = first; i < c.steps.size(); ++i) {
      const Step& step = c.steps[i];
      SCOPED_TRACE("step " + std::to_string(i) + ": " + step.send.substr(0, 60));
      if (!step.send.empty()) client.Send(step.send);
      if (step.want == "EOF") {
        EXPECT_TRUE(client.ClosedByServer()) << "want the server to close";
        continue;
      }
      std::string reply = client.ReadReply();
      EXPECT_EQ(Code(reply), step.want) << "got " << reply << "want " << step.want;
      bool helo = step.send.rfind("EHLO", 0) == 0 || step.send.rfind("HELO", 0) == 0;
      if (!helo && step.want != "354" && !reply.empty()) {
        EXPECT_TRUE(HasEnhancedCodes(reply)) << "no enhanced status code: " << reply;
      }
    }
    client.Close();
    EXPECT_EQ(server_->Queued().size(), before + static_cast<size_t>(c.queued))
        << "queued messages";
  }
}

TEST_F(SmtpdCatalogueTest, DisconnectBeforeTheFinalReplyQueuesNothing) {
  size_t before = server_->Queued().size();
  SmtpClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  ASSERT_EQ(Code(client.ReadReply()), "220");
  for (const Step& s : {kEhlo, kMail, kRcpt, kData}) {
    client.Send(s.send);
    ASSERT_EQ(Code(client.ReadReply()), s.want);
  }
  // The whole message but the final dot, then hang up.
  client.Send("Subject: cut\r\n\r\nalmost\r\n");
  client.Close();
  ASSERT_TRUE(WaitUntil(
      [&] {
        return server_->Log().find("client left during DATA; nothing queued") !=
               std::string::npos;
      },
      10s))
      << server_->Log();
  EXPECT_EQ(server_->Queued().size(), before);
}

TEST_F(SmtpdCatalogueTest, NoRcpthostsIsLoggedAtStart) {
  SmtpdServer open_server;
  ASSERT_TRUE(open_server.Start({.control = {{"me", "mx.test\n"}}}));
  SmtpClient client;
  ASSERT_TRUE(client.Connect(open_server.port()));
  ASSERT_EQ(Code(client.ReadReply()), "220");
  for (const Step& s : {kEhlo, kMail}) {
    client.Send(s.send);
    ASSERT_EQ(Code(client.ReadReply()), s.want);
  }
  client.Send("RCPT TO:<u@example.com>\r\n");
  EXPECT_EQ(Code(client.ReadReply()), "553") << "no rcpthosts must not relay";
  client.Send("RCPT TO:<u@mx.test>\r\n");
  EXPECT_EQ(Code(client.ReadReply()), "250") << "locals (me) are accepted";
  EXPECT_NE(open_server.Log().find("rcpthosts: relaying for nobody"),
            std::string::npos)
      << open_server.Log();
}

TEST_F(SmtpdCatalogueTest, RelayClientFromTcprulesMayRelay) {
  SmtpdServer relay;
  ASSERT_TRUE(relay.Start({.control = {{"me", "mx.test\n"},
                                       {"rcpthosts", "example.com\n"}},
                           .rules = "127.0.0.1:allow,RELAYCLIENT=\"\"\n"}));
  SmtpClient client;
  ASSERT_TRUE(client.Connect(relay.port()));
  ASSERT_EQ(Code(client.ReadReply()), "220");
  for (const Step& s :
       {kEhlo, kMail, Step{"RCPT TO:<u@elsewhere.test>\r\n", "250"}, kData,
        Step{"Subject: relayed\r\n\r\nx\r\n.\r\n", "250"}}) {
    client.Send(s.send);
    EXPECT_EQ(Code(client.ReadReply()), s.want) << s.send;
  }
  EXPECT_EQ(relay.Queued().size(), 1u);
}

TEST_F(SmtpdCatalogueTest, QueueFailureIs451AndTheRetryIsQueuedOnce) {
  std::string flag = server_->queue_dir() + "/exit-code";
  const std::string message = "Subject: retry\r\n\r\nonce only\r\n.\r\n";
  for (const char* code : {"53", "81", "61", "111"}) {
    SCOPED_TRACE(code);
    WriteFileOrDie(flag, code);
    size_t before = server_->Queued().size();
    SmtpClient client;
    ASSERT_TRUE(client.Connect(server_->port()));
    ASSERT_EQ(Code(client.ReadReply()), "220");
    for (const Step& s : {kEhlo, kMail, kRcpt, kData, Step{message, "451"}}) {
      client.Send(s.send);
      EXPECT_EQ(Code(client.ReadReply()), s.want) << s.send;
    }
    unlink(flag.c_str());
    EXPECT_EQ(server_->Queued().size(), before) << "nothing queued on 451";
    // The client retries in the same session; now it is queued, once.
    for (const Step& s : {kMail, kRcpt, kData, Step{message, "250"}}) {
      client.Send(s.send);
      EXPECT_EQ(Code(client.ReadReply()), s.want) << s.send;
    }
    EXPECT_EQ(server_->Queued().size(), before + 1);
  }
  WriteFileOrDie(flag, "31");
  SmtpClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  ASSERT_EQ(Code(client.ReadReply()), "220");
  for (const Step& s : {kEhlo, kMail, kRcpt, kData, Step{message, "554"}}) {
    client.Send(s.send);
    EXPECT_EQ(Code(client.ReadReply()), s.want) << s.send;
  }
  unlink(flag.c_str());
}

}  // namespace
}  // namespace yubin::testing
