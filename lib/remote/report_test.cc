#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <gtest/gtest.h>

#include "lib/remote/remote_delivery.h"

namespace yubin::remote {
namespace {

using smtpclient::MessageOutcome;
using smtpclient::Verdict;

TEST(FormatReport, RecordsInOrderThenMessage) {
  MessageOutcome o;
  o.verdict = Verdict::kAccepted;
  o.text = "1.2.3.4 accepted message.";
  o.recipients = {{Verdict::kAccepted, "ok"},
                  {Verdict::kPermanent, std::string("no\r\nsuch\0", 9)},
                  {Verdict::kTemporary, "later"}};
  static constexpr char kWant[] =
      "rok\0hno??such?\0slater\0K1.2.3.4 accepted message.\0";
  std::string want(kWant, sizeof kWant - 1);
  EXPECT_EQ(FormatReport(o), want);
}

TEST(FormatReport, TextsAreBounded) {
  MessageOutcome o;
  o.verdict = Verdict::kTemporary;
  o.text = std::string(5000, 'x');
  o.recipients = {{Verdict::kTemporary, std::string(5000, 'y')}};
  std::string r = FormatReport(o);
  EXPECT_EQ(r.size(), 2 * (1 + kMaxReportTextBytes + 1));
}

TEST(PrepareMessage, PipeIsCopiedAndScanned) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::string text = "Subject: caf\xc3\xa9\n\nbody\n";
  ASSERT_EQ(write(p[1], text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
  close(p[1]);
  Result<PreparedMessage> pm = PrepareMessage(p[0]);
  close(p[0]);
  ASSERT_TRUE(pm.ok()) << pm.status().message();
  EXPECT_EQ(pm->size, text.size());
  EXPECT_TRUE(pm->eight_bit);
  char buf[64] = {};
  EXPECT_EQ(pread(pm->fd.get(), buf, sizeof buf, 0),
            static_cast<ssize_t>(text.size()));
}

TEST(PrepareMessage, RegularFileUsedInPlace) {
  FILE* f = tmpfile();
  fputs("plain\n", f);
  fflush(f);
  Result<PreparedMessage> pm = PrepareMessage(fileno(f));
  ASSERT_TRUE(pm.ok());
  EXPECT_EQ(pm->size, 6u);
  EXPECT_FALSE(pm->eight_bit);
  fclose(f);
}

}  // namespace
}  // namespace yubin::remote
