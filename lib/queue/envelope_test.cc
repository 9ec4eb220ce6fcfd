#include "lib/queue/envelope.h"

#include <gtest/gtest.h>

#include <string>

namespace yubin::queue {
namespace {

using State = EnvelopeParser::State;
using namespace std::string_literals;

State ParseAll(std::string_view text, size_t* used = nullptr) {
  EnvelopeParser p(/*collect=*/false);
  size_t n = p.Feed(text);
  if (used != nullptr) *used = n;
  return p.state();
}

TEST(EnvelopeParserTest, AcceptsSenderAndRecipients) {
  std::string env = "Fa@example.com\0Tb@example.org\0Tc@x\0\0"s;
  EnvelopeParser p(/*collect=*/true);
  EXPECT_EQ(p.Feed(env), env.size());
  ASSERT_EQ(p.state(), State::kDone);
  EXPECT_EQ(p.sender(), "a@example.com");
  ASSERT_EQ(p.recipients().size(), 2u);
  EXPECT_EQ(p.recipients()[0], "b@example.org");
  EXPECT_EQ(p.recipients()[1], "c@x");
  EXPECT_EQ(p.recipient_count(), 2u);
}

TEST(EnvelopeParserTest, EmptySenderAndNoRecipientsAreValidAsInQmail) {
  EXPECT_EQ(ParseAll("F\0\0"s), State::kDone);
  EXPECT_EQ(ParseAll("Fa@b\0\0"s), State::kDone);
  EXPECT_EQ(ParseAll("F\0T\0\0"s), State::kDone);  // empty recipient passes too
}

TEST(EnvelopeParserTest, StopsAfterTheFinalNul) {
  size_t used = 0;
  std::string env = "Fa\0Tb\0\0trailing"s;
  EXPECT_EQ(ParseAll(env, &used), State::kDone);
  EXPECT_EQ(used, env.size() - std::string("trailing").size());
}

TEST(EnvelopeParserTest, FormatErrors) {
  EXPECT_EQ(ParseAll("Xa\0\0"s), State::kBadFormat);
  EXPECT_EQ(ParseAll("\0"s), State::kBadFormat);
  EXPECT_EQ(ParseAll("Fa\0Xb\0\0"s), State::kBadFormat);
  EXPECT_EQ(ParseAll("Fa\0Fb\0\0"s), State::kBadFormat);
  size_t used = 0;
  EXPECT_EQ(ParseAll("Fa\0Tb\0Zzzz"s, &used), State::kBadFormat);
  EXPECT_EQ(used, 7u) << "the breaking byte is counted";
}

TEST(EnvelopeParserTest, TruncatedNeedsMore) {
  EXPECT_EQ(ParseAll(""), State::kNeedMore);
  EXPECT_EQ(ParseAll("Fa"), State::kNeedMore);
  EXPECT_EQ(ParseAll("Fa\0Tb\0"s), State::kNeedMore);
}

TEST(EnvelopeParserTest, AddressLengthLimitIsQmails) {
  std::string longest(kMaxAddressLength, 'a');
  std::string too_long(kMaxAddressLength + 1, 'a');
  EXPECT_EQ(ParseAll("F" + longest + "\0\0"s), State::kDone);
  EXPECT_EQ(ParseAll("F" + too_long + "\0\0"s), State::kAddressTooLong);
  EXPECT_EQ(ParseAll("Fa\0T"s + longest + "\0\0"s), State::kDone);
  EXPECT_EQ(ParseAll("Fa\0T"s + too_long + "\0\0"s), State::kAddressTooLong);
  // Refused as soon as the limit is passed, without waiting for the NUL.
  EXPECT_EQ(ParseAll("F" + too_long), State::kAddressTooLong);
}

TEST(EnvelopeParserTest, ByteByByteEqualsWhole) {
  std::string env = "Fs@x\0Tr1@y\0Tr2@z\0\0"s;
  EnvelopeParser p(/*collect=*/true);
  for (char c : env) {
    ASSERT_EQ(p.state(), State::kNeedMore);
    EXPECT_EQ(p.Feed(std::string_view(&c, 1)), 1u);
  }
  EXPECT_EQ(p.state(), State::kDone);
  EXPECT_EQ(p.sender(), "s@x");
  EXPECT_EQ(p.recipients().size(), 2u);
}

TEST(EnvelopeParserTest, ErrorsAreSticky) {
  EnvelopeParser p(/*collect=*/false);
  p.Feed("Q");
  EXPECT_EQ(p.state(), State::kBadFormat);
  EXPECT_EQ(p.Feed("Fa\0\0"s), 0u);
  EXPECT_EQ(p.state(), State::kBadFormat);
}

TEST(QueuedEnvelopeTest, RoundTrip) {
  std::string file = FormatInjectorRecords(1000, 4242, 1764300000) +
                     "Fa@b\0Tc@d\0Te@f\0\0"s;
  Result<QueuedEnvelope> e = ParseQueuedEnvelope(file);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->uid, 1000u);
  EXPECT_EQ(e->pid, 4242);
  EXPECT_EQ(e->birth, 1764300000);
  EXPECT_EQ(e->sender, "a@b");
  ASSERT_EQ(e->recipients.size(), 2u);
  EXPECT_EQ(e->recipients[1], "e@f");
}

TEST(QueuedEnvelopeTest, RejectsDamagedFiles) {
  std::string records = FormatInjectorRecords(1, 2, 3);
  EXPECT_FALSE(ParseQueuedEnvelope("").ok());
  EXPECT_FALSE(ParseQueuedEnvelope("Fa\0\0"s).ok()) << "no u/p/t records";
  EXPECT_FALSE(ParseQueuedEnvelope("u1\0p2\0Fa\0\0"s).ok()) << "no t record";
  EXPECT_FALSE(ParseQueuedEnvelope("ux\0p2\0t3\0Fa\0\0"s).ok());
  EXPECT_FALSE(ParseQueuedEnvelope(records + "Fa\0Tb\0"s).ok()) << "truncated";
  EXPECT_FALSE(ParseQueuedEnvelope(records + "Fa\0\0x"s).ok()) << "trailing";
  EXPECT_FALSE(ParseQueuedEnvelope("u99999999999999999999\0p2\0t3\0Fa\0\0"s).ok());
  EXPECT_FALSE(ParseQueuedEnvelope("u9999999999999999999\0p2\0t3\0Fa\0\0"s).ok())
      << "over INT64_MAX";
  EXPECT_FALSE(ParseQueuedEnvelope("u01\0p2\0t3\0Fa\0\0"s).ok())
      << "leading zero: not the canonical form";
  EXPECT_TRUE(ParseQueuedEnvelope("u0\0p2\0t3\0Fa\0\0"s).ok());
}

TEST(QueuedEnvelopeTest, TheCheckRecordComesLast) {
  const std::string envelope = FormatInjectorRecords(1000, 4242, 1764300000) + "Fa@b\0Tc@d\0\0"s;
  const MessageCheck check{.id = 12345,
                           .boot = "0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10",
                           .content_bytes = 1234,
                           .content_crc = 0xe3069283,
                           .envelope_crc = 0x0000abcd};
  const std::string record = FormatMessageCheck(check);
  EXPECT_EQ(record, "k12345:0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10:1234:e3069283:0000abcd\0"s);
  Result<QueuedEnvelope> e = ParseQueuedEnvelope(envelope + record);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->recipients, std::vector<std::string>{"c@d"});
  ASSERT_TRUE(e->check.has_value());
  EXPECT_EQ(e->check->id, 12345u);
  EXPECT_EQ(e->check->boot, check.boot);
  EXPECT_EQ(e->check->content_bytes, 1234u);
  EXPECT_EQ(e->check->content_crc, 0xe3069283u);
  EXPECT_EQ(e->check->envelope_crc, 0xabcdu);
  EXPECT_EQ(e->checked_bytes, envelope.size());
  // An unknown boot is an empty field.
  Result<QueuedEnvelope> no_boot = ParseQueuedEnvelope(envelope + "k1::0:00000000:00000000\0"s);
  ASSERT_TRUE(no_boot.ok()) << no_boot.status().message();
  EXPECT_EQ(no_boot->check->boot, "");
  // Without one (files of earlier versions): no check.
  Result<QueuedEnvelope> old = ParseQueuedEnvelope(envelope);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->check.has_value());
}

TEST(QueuedEnvelopeTest, RejectsDamagedCheckRecords) {
  const std::string envelope = FormatInjectorRecords(1, 2, 3) + "Fa\0\0"s;
  for (const std::string& bad : {
           "k1:b:2:00000000:00000000"s,              // no NUL
           "k1:b:2:00000000:00000000\0\0"s,          // a byte after it
           "k1:b:2:00000000\0"s,                     // a field short
           "k1:b:2:00000000:00000000:0\0"s,          // a field over
           "k01:b:2:00000000:00000000\0"s,           // not canonical
           "k1:b:2:0000000G:00000000\0"s,            // not hex
           "k1:b:2:ABCDEF00:00000000\0"s,            // uppercase
           "k1:b:2:0000000:00000000\0"s,             // seven digits
           "k1:B:2:00000000:00000000\0"s,            // not a boot id
           "k:b:2:00000000:00000000\0"s,             // no id
           "x1:b:2:00000000:00000000\0"s,            // not a k record
           "k1:b:18446744073709551616:00000000:00000000\0"s,  // over 2^64
       }) {
    EXPECT_FALSE(ParseQueuedEnvelope(envelope + bad).ok()) << bad;
  }
}

// Found by envelope_fuzz: a pid beyond pid_t was truncated, so the parsed
// record no longer matched the file.
TEST(QueuedEnvelopeTest, FuzzPidOutOfRange) {
  EXPECT_FALSE(ParseQueuedEnvelope("u1\0p333333333333332\0t3\0Fa\0\0"s).ok());
  EXPECT_FALSE(ParseQueuedEnvelope("u4294967296\0p1\0t3\0Fa\0\0"s).ok());
  EXPECT_TRUE(ParseQueuedEnvelope("u4294967295\0p2147483647\0t3\0Fa\0\0"s).ok());
}

}  // namespace
}  // namespace yubin::queue
