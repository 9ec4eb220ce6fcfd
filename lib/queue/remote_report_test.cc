// remote_report_test.cc: yubin-remote's report -> yubin-rspawn's result.
#include "lib/queue/remote_report.h"

#include <sys/wait.h>

#include <string>

#include "gtest/gtest.h"
#include "lib/queue/lspawn_server.h"
#include "lib/queue/rspawn_server.h"

namespace yubin::queue {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

int Exited(int code) { return code << 8; }  // a wait status: WIFEXITED, code
int Killed(int sig) { return sig; }          // a wait status: WIFSIGNALED

DeliveryResult Translate(const std::string& report, int ws = Exited(0)) {
  return RemoteResult({7, 3, "kim", "far.test", "a@b"}, ws, report);
}

TEST(RemoteReport, ParsesRecipientsAndMessage) {
  auto rep = ParseRemoteReport("rok one\0hno two\0Kqueued\0"s, 2);
  ASSERT_TRUE(rep.has_value());
  ASSERT_EQ(rep->recipients.size(), 2u);
  EXPECT_EQ(rep->recipients[0].code, 'r');
  EXPECT_EQ(rep->recipients[0].text, "ok one");
  EXPECT_EQ(rep->recipients[1].code, 'h');
  EXPECT_EQ(rep->message.code, 'K');
  EXPECT_EQ(rep->message.text, "queued");
}

TEST(RemoteReport, RejectsMalformed) {
  EXPECT_FALSE(ParseRemoteReport("", 1));
  EXPECT_FALSE(ParseRemoteReport("rok\0"s, 1)) << "no message record";
  EXPECT_FALSE(ParseRemoteReport("rok\0Kx\0rmore\0"s, 1)) << "a record too many";
  EXPECT_FALSE(ParseRemoteReport("rok\0Kx\0trailing"s, 1));
  EXPECT_FALSE(ParseRemoteReport("xok\0Kx\0"s, 1)) << "bad recipient letter";
  EXPECT_FALSE(ParseRemoteReport("rok\0rx\0"s, 1)) << "bad message letter";
  EXPECT_FALSE(ParseRemoteReport("rok\0Kx"s, 1)) << "unterminated";
  EXPECT_FALSE(ParseRemoteReport("\0Kx\0"s, 1)) << "empty record";
  std::string big = "r" + std::string(kMaxRemoteReportBytes, 'a') + "\0Kx\0"s;
  EXPECT_FALSE(ParseRemoteReport(big, 1));
}

TEST(RemoteReport, AcceptedAndDeliveredIsSuccess) {
  DeliveryResult r = Translate("r250 ok\0K250 queued as X\0"s);
  EXPECT_EQ(r.id, 7u);
  EXPECT_EQ(r.index, 3u);
  EXPECT_EQ(r.status, 0) << r.text;
  EXPECT_EQ(r.text, "250 ok\n250 queued as X");
}

TEST(RemoteReport, RecipientAndMessageVerdicts) {
  struct Case {
    std::string report;
    int want;
  } cases[] = {
      {"h550 no such user\0Dno recipients\0"s, 100},
      {"s450 greylisted\0Zno recipients\0"s, 111},
      {"r250 ok\0D554 content rejected\0"s, 100},
      {"r250 ok\0Z451 try later\0"s, 111},
      {"h550 no\0Kx\0"s, 100},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Translate(c.report).status, c.want) << "report " << c.report;
  }
  EXPECT_EQ(Translate("h550 no such user\0Dnone\0"s).text, "550 no such user");
}

TEST(RemoteReport, FailuresToRunAreTemporary) {
  DeliveryResult r = Translate("", Exited(111));
  EXPECT_EQ(r.status, 111);
  EXPECT_NE(r.text.find("exited 111"), std::string::npos) << r.text;
  r = Translate("r250 ok\0"s, Exited(100));
  EXPECT_EQ(r.status, 111) << "usage errors are ours, not the recipient's";
  EXPECT_NE(r.text.find("exited 100"), std::string::npos) << r.text;
  r = Translate("", Killed(9));
  EXPECT_EQ(r.status, 111);
  EXPECT_NE(r.text.find("signal 9"), std::string::npos) << r.text;
  r = Translate("r250 ok\0"s);
  EXPECT_EQ(r.status, 111);
  EXPECT_NE(r.text.find("malformed"), std::string::npos) << r.text;
}

TEST(RemoteReport, TakeReadsOneMessageOffTheFront) {
  std::string_view out = "r1\0h2\0K3\0r4\0Z5\0"sv;
  auto first = TakeRemoteReport(&out, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->recipients[1].text, "2");
  EXPECT_EQ(out, "r4\0Z5\0"sv);
  auto second = TakeRemoteReport(&out, 1);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->message.code, 'Z');
  EXPECT_TRUE(out.empty());
  std::string_view bad = "r1\0"sv;
  EXPECT_FALSE(TakeRemoteReport(&bad, 1));
  EXPECT_EQ(bad, "r1\0"sv) << "left as it was";
  std::string long_text = "r" + std::string(kMaxReportTextBytes + 1, 'a') + "\0Kx\0"s;
  std::string_view lv = long_text;
  EXPECT_FALSE(TakeRemoteReport(&lv, 1)) << "a text over yubin-remote's bound";
}

// Two messages, the first with two recipients: one result per request, in
// the order of the messages' reports.
Delivery TwoMessages() {
  return {{10, 0, "a", "far.test", "s@x", true},
          {20, 0, "c", "far.test", "t@x", true},
          {10, 1, "b", "far.test", "s@x", false}};
}

TEST(RemoteReport, ResultsForABatch) {
  std::vector<DeliveryResult> r =
      RemoteResults(TwoMessages(), Exited(0), "r250 a\0h550 b\0K250 m1\0s451 c\0Zm2\0"s);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].id, 10u);
  EXPECT_EQ(r[0].index, 0u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(r[0].text, "250 a\n250 m1");
  EXPECT_EQ(r[1].id, 10u);
  EXPECT_EQ(r[1].index, 1u);
  EXPECT_EQ(r[1].status, 100);
  EXPECT_EQ(r[2].id, 20u);
  EXPECT_EQ(r[2].status, 111);
  EXPECT_EQ(r[2].text, "451 c");
}

TEST(RemoteReport, AKilledBatchKeepsTheReportsItFinished) {
  // Killed while sending the second message: the first was accepted by the
  // server and must not be sent again; the second is retried.
  std::vector<DeliveryResult> r =
      RemoteResults(TwoMessages(), Killed(9), "r250 a\0r250 b\0K250 m1\0r2"s);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(r[1].status, 0);
  EXPECT_EQ(r[2].status, 111);
  EXPECT_NE(r[2].text.find("signal 9"), std::string::npos) << r[2].text;
  r = RemoteResults(TwoMessages(), Exited(0), "r250 a\0K250 m1\0"s);
  EXPECT_EQ(r[0].status, 111) << "a report with too few records is malformed";
  EXPECT_NE(r[0].text.find("malformed"), std::string::npos) << r[0].text;
  EXPECT_EQ(r[2].status, 111);
}

TEST(RspawnArguments, OneMessageIsQmailRemoteStyleSeveralAreABatch) {
  Delivery one{{10, 0, "a", "far.test", "s@x", true}, {10, 1, "b", "far.test", "s@x", false}};
  EXPECT_EQ(RemoteArguments("/p", one),
            (std::vector<std::string>{"/p", "far.test", "s@x", "a@far.test", "b@far.test"}));
  EXPECT_EQ(RemoteArguments("/p", TwoMessages()),
            (std::vector<std::string>{"/p", "--batch", "far.test", "s@x", "2", "a@far.test",
                                      "b@far.test", "t@x", "1", "c@far.test"}));
}

TEST(LocalResult, ExitCodesMap) {
  DeliveryRequest q{1, 0, "kim", "example.com", "a@b"};
  EXPECT_EQ(LocalResult(q, Exited(0), "").status, 0);
  EXPECT_EQ(LocalResult(q, Exited(100), "no").status, 100);
  DeliveryResult r = LocalResult(q, Exited(3), "odd");
  EXPECT_EQ(r.status, 111);
  EXPECT_EQ(r.text, "odd\nUnexpected exit code 3 from the local delivery program. (#4.3.0)");
  EXPECT_EQ(LocalResult(q, Killed(15), "").status, 111);
}

}  // namespace
}  // namespace yubin::queue
