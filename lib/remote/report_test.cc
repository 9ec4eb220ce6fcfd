#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

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

TEST(RemoteArguments, QmailRemoteStyle) {
  Result<RemoteArguments> a = ParseRemoteArguments({"far.test", "s@x", "a@far.test", "b@far.test"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_FALSE(a->batch);
  EXPECT_EQ(a->host, "far.test");
  ASSERT_EQ(a->messages.size(), 1u);
  EXPECT_EQ(a->messages[0].sender, "s@x");
  EXPECT_EQ(a->messages[0].recipients, (std::vector<std::string>{"a@far.test", "b@far.test"}));
  EXPECT_FALSE(ParseRemoteArguments({"far.test", "s@x"}).ok()) << "no recipient";
}

TEST(RemoteArguments, Batch) {
  Result<RemoteArguments> a = ParseRemoteArguments(
      {"--batch", "far.test", "s@x", "2", "a@far.test", "b@far.test", "", "1", "c@far.test"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(a->batch);
  ASSERT_EQ(a->messages.size(), 2u);
  EXPECT_EQ(a->messages[0].recipients.size(), 2u);
  EXPECT_EQ(a->messages[1].sender, "") << "the null sender";
  EXPECT_EQ(a->messages[1].recipients, std::vector<std::string>{"c@far.test"});
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--batch", "far.test", "s@x", "3", "a@far.test", "b@far.test"},  // count too big
           {"--batch", "far.test", "s@x", "0", "a@far.test"},                // zero
           {"--batch", "far.test", "s@x", "x", "a@far.test"},                // not a number
           {"--batch", "far.test", "s@x", "1", "a@far.test", "t@x"},         // no count
           {"--batch", "far.test", "s@x"},
       }) {
    EXPECT_FALSE(ParseRemoteArguments(bad).ok()) << bad.size();
  }
}

}  // namespace
}  // namespace yubin::remote
