#include "lib/queue/delivery_records.h"

#include <gtest/gtest.h>

namespace yubin::queue {
namespace {

TEST(DeliveryRecords, RequestRoundTripByteByByte) {
  std::string wire = FormatRequest({42, 3, "kim", "example.com", ""}) +
                     FormatRequest({43, 0, "lee", "x.org", "a@b", true});
  RecordParser p(kRequestFields);
  for (char c : wire) p.Feed(std::string_view(&c, 1));
  auto first = p.Next();
  ASSERT_TRUE(first);
  auto r = ParseRequest(*first);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 42u);
  EXPECT_EQ(r->index, 3u);
  EXPECT_EQ(r->local, "kim");
  EXPECT_EQ(r->domain, "example.com");
  EXPECT_EQ(r->sender, "");
  EXPECT_FALSE(r->more);
  auto second = p.Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(ParseRequest(*second)->sender, "a@b");
  EXPECT_TRUE(ParseRequest(*second)->more);
  EXPECT_FALSE(p.Next());
  EXPECT_FALSE(p.failed());
  EXPECT_FALSE(p.partial());
}

TEST(DeliveryRecords, ResultTextBoundedAndNulReplaced) {
  std::string text(kMaxResultText + 100, 'x');
  text[5] = '\0';
  RecordParser p(kResultFields);
  p.Feed(FormatResult({1, 2, 100, text}));
  auto rec = p.Next();
  ASSERT_TRUE(rec);
  auto r = ParseResult(*rec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 100);
  EXPECT_EQ(r->text.size(), kMaxResultText);
  EXPECT_EQ(r->text[5], ' ');
}

TEST(DeliveryRecords, RejectsBadStatusAndNumbers) {
  EXPECT_FALSE(ParseResult({"1", "2", "99", "t"}));
  EXPECT_FALSE(ParseResult({"1", "x", "0", "t"}));
  EXPECT_FALSE(ParseResult({"1", "2", "0"}));
  EXPECT_FALSE(ParseRequest({"1", "2", "", "d", "s", "0"})) << "empty local part";
  EXPECT_FALSE(ParseRequest({"1", "2", "l", "d", "s"})) << "no more field";
  EXPECT_FALSE(ParseRequest({"1", "2", "l", "d", "s", "2"})) << "more is 0 or 1";
  EXPECT_FALSE(ParseRequest({"1", "2", "l", "d", "s", ""})) << "more is 0 or 1";
  EXPECT_TRUE(ParseRequest({"1", "2", "l", "d", "s", "1"}));
  EXPECT_TRUE(ParseResult({"1", "2", "111", ""}));
}

TEST(DeliveryRecords, OverlongFieldFails) {
  RecordParser p(kResultFields);
  p.Feed(std::string(kMaxFieldBytes, 'a'));
  EXPECT_FALSE(p.failed());
  EXPECT_TRUE(p.partial());
  p.Feed("b");
  EXPECT_TRUE(p.failed());
  p.Feed(std::string("\0\0\0\0", 4));
  EXPECT_FALSE(p.Next()) << "a failed parser must yield nothing more";
}

TEST(DeliveryRecords, TooManyWaitingRecordsFails) {
  RecordParser p(kResultFields);
  std::string one = FormatResult({1, 1, 0, ""});
  for (size_t i = 0; i < kMaxBufferedRecords; ++i) p.Feed(one);
  EXPECT_FALSE(p.failed());
  p.Feed(one);
  EXPECT_TRUE(p.failed());
}

}  // namespace
}  // namespace yubin::queue
