// remote_report_test.cc: yubin-remote's report -> yubin-rspawn's result.
#include "lib/queue/remote_report.h"

#include <sys/wait.h>

#include <string>

#include "gtest/gtest.h"
#include "lib/queue/lspawn_server.h"

namespace yubin::queue {
namespace {

using namespace std::string_literals;

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
  DeliveryResult r = Translate("r250 ok\0Kx\0"s, Exited(111));
  EXPECT_EQ(r.status, 111);
  EXPECT_NE(r.text.find("exited 111"), std::string::npos) << r.text;
  r = Translate("r250 ok\0Kx\0"s, Exited(100));
  EXPECT_EQ(r.status, 111) << "usage errors are ours, not the recipient's";
  r = Translate("", Killed(9));
  EXPECT_EQ(r.status, 111);
  EXPECT_NE(r.text.find("signal 9"), std::string::npos) << r.text;
  r = Translate("r250 ok\0"s);
  EXPECT_EQ(r.status, 111);
  EXPECT_NE(r.text.find("malformed"), std::string::npos) << r.text;
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
