#include "lib/smtpclient/reply.h"

#include <gtest/gtest.h>

namespace yubin::smtpclient {
namespace {

TEST(ReplyAssembler, MultiLine) {
  Reply r;
  ASSERT_EQ(ParseReplyText("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n",
                           &r),
            ReplyFeed::kDone);
  EXPECT_EQ(r.code, 250);
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(r.lines[2], "SIZE 10");
  EXPECT_EQ(r.Text(), "250 mx.example / PIPELINING / SIZE 10");
  EXPECT_TRUE(r.positive());
}

TEST(ReplyAssembler, CodeOnly) {
  Reply r;
  ASSERT_EQ(ParseReplyText("354\r\n", &r), ReplyFeed::kDone);
  EXPECT_EQ(r.code, 354);
  EXPECT_TRUE(r.temporary()) << "a 354 where none is expected is not success";
}

TEST(ReplyAssembler, Classes) {
  Reply r;
  ASSERT_EQ(ParseReplyText("451 greylisted\n", &r), ReplyFeed::kDone);
  EXPECT_TRUE(r.temporary());
  ASSERT_EQ(ParseReplyText("550 no\n", &r), ReplyFeed::kDone);
  EXPECT_TRUE(r.permanent());
}

TEST(ReplyAssembler, Malformed) {
  Reply r;
  for (const char* bad : {"", "25", "abc ok", "250x", "199 low", "600 high",
                          "250-a\r\n251 b"}) {
    EXPECT_EQ(ParseReplyText(bad, &r) == ReplyFeed::kDone, false)
        << "got kDone for \"" << bad << "\"";
  }
}

TEST(ReplyAssembler, Bounded) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "250-" + std::string(3000, 'x') + "\n";
  text += "250 end\n";
  Reply r;
  ASSERT_EQ(ParseReplyText(text, &r), ReplyFeed::kDone);
  EXPECT_EQ(r.lines.size(), kMaxReplyLines);
  EXPECT_EQ(r.lines[0].size(), kMaxReplyLineBytes);
  EXPECT_LE(r.Text().size(), kMaxReplyTextBytes);
}

TEST(ReplyText, ControlBytesMasked) {
  Reply r;
  r.code = 550;
  r.lines = {std::string("a\0b\x1b", 4)};
  EXPECT_EQ(r.Text(), "550 a?b?");
}

}  // namespace
}  // namespace yubin::smtpclient
