#include "lib/smtp/data_decoder.h"

#include <gtest/gtest.h>

namespace yubin::smtp {
namespace {

struct Decoded {
  std::string out;
  size_t consumed = 0;
  bool done = false;
  DataResult result;
};

Decoded Decode(std::string_view in, uint64_t max = 0, size_t chunk = 0) {
  DataDecoder d(max);
  Decoded r;
  if (chunk == 0) chunk = in.size() ? in.size() : 1;
  while (r.consumed < in.size() && !d.done()) {
    std::string_view piece = in.substr(r.consumed, chunk);
    r.consumed += d.Feed(piece, &r.out);
  }
  r.done = d.done();
  r.result = d.result();
  return r;
}

TEST(DataDecoderTest, UnstuffsDotsAndConvertsLineEnds) {
  std::string in = "Subject: x\r\n\r\n..leading dot\r\n.x\r\nend\r\n.\r\nQUIT\r\n";
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{2}, size_t{7}}) {
    Decoded d = Decode(in, 0, chunk);
    EXPECT_TRUE(d.done) << "chunk " << chunk;
    EXPECT_EQ(d.out, "Subject: x\n\n.leading dot\nx\nend\n") << chunk;
    EXPECT_EQ(in.substr(d.consumed), "QUIT\r\n") << chunk;
    EXPECT_TRUE(d.result.acceptable());
    EXPECT_EQ(d.result.bytes, d.out.size());
  }
}

TEST(DataDecoderTest, EmptyMessage) {
  Decoded d = Decode(".\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.out, "");
}

TEST(DataDecoderTest, OnlyCrlfDotCrlfEndsTheData) {
  // Every smuggling variant: none of them ends the data, all mark it.
  const char* tricks[] = {
      "a\n.\nMAIL FROM:<x@y>\r\n",   "a\n.\r\nMAIL FROM:<x@y>\r\n",
      "a\r.\r\nMAIL FROM:<x@y>\r\n", "a\r\n.\nMAIL FROM:<x@y>\r\n",
      "a\r\n.\rMAIL FROM:<x@y>\r\n", "a\r\n.\r\r\nMAIL\r\n",
  };
  for (const char* t : tricks) {
    Decoded d = Decode(t);
    EXPECT_FALSE(d.done) << t;
    EXPECT_TRUE(d.result.bare_cr_or_lf) << t;
    EXPECT_FALSE(d.result.acceptable()) << t;
    // The real end still ends it.
    Decoded whole = Decode(std::string(t) + ".\r\n");
    EXPECT_TRUE(whole.done) << t;
    EXPECT_TRUE(whole.result.bare_cr_or_lf) << t;
  }
}

TEST(DataDecoderTest, EightBitPassesNulIsMarked) {
  Decoded d = Decode("caf\xc3\xa9 \xff\x80\r\n.\r\n");
  EXPECT_TRUE(d.result.acceptable());
  EXPECT_EQ(d.out, "caf\xc3\xa9 \xff\x80\n");
  d = Decode(std::string("a\0b\r\n.\r\n", 8));
  EXPECT_TRUE(d.done);
  EXPECT_TRUE(d.result.nul);
}

TEST(DataDecoderTest, SizeLimitReadsToTheEnd) {
  std::string body(100, 'x');
  std::string in = body + "\r\n" + body + "\r\n.\r\n";
  Decoded d = Decode(in, 150);
  EXPECT_TRUE(d.done);
  EXPECT_TRUE(d.result.too_big);
  EXPECT_EQ(d.out, body + "\n" + std::string(49, 'x')) << "what fits, and nothing past it";
  EXPECT_EQ(d.consumed, in.size());
  Decoded fits = Decode(in, 202);
  EXPECT_FALSE(fits.result.too_big);
  EXPECT_EQ(fits.result.bytes, 202u);
}

TEST(DataDecoderTest, CountsHopsOnlyInTheHeader) {
  std::string in;
  for (int i = 0; i < kMaxHops; ++i) {
    in += (i % 2) ? "Received: from x\r\n" : "DELIVERED-TO: a@b\r\n";
  }
  Decoded d = Decode(in + "\r\nReceived: in body\r\n.\r\n");
  EXPECT_EQ(d.result.hops, kMaxHops);
  EXPECT_FALSE(d.result.loop());
  d = Decode("Received: one more\r\n" + in + "\r\n.\r\n");
  EXPECT_TRUE(d.result.loop());
  EXPECT_FALSE(d.result.acceptable());
}

// Lines go out as runs up to their next CR, LF or NUL: however the input
// is cut, the output and the verdict are the same.
TEST(DataDecoderTest, AnyChunkingGivesTheSameResult) {
  const std::string in =
      "Received: a\r\nSubject: runs of text\r\n\r\n..dot\r\nbare\nlf and bare\rcr\r\n"
      "nul\0byte\r\n" + std::string(300, 'y') + "\r\n.\r\nQUIT\r\n";
  for (uint64_t max : {uint64_t{0}, uint64_t{40}, uint64_t{100}, uint64_t{1000}}) {
    Decoded whole = Decode(in, max);
    for (size_t chunk = 1; chunk <= 17; ++chunk) {
      Decoded d = Decode(in, max, chunk);
      EXPECT_EQ(d.out, whole.out) << "max " << max << " chunk " << chunk;
      EXPECT_EQ(d.consumed, whole.consumed);
      EXPECT_EQ(d.result.bytes, whole.result.bytes);
      EXPECT_EQ(d.result.too_big, whole.result.too_big);
      EXPECT_EQ(d.result.bare_cr_or_lf, whole.result.bare_cr_or_lf);
      EXPECT_EQ(d.result.nul, whole.result.nul);
      EXPECT_EQ(d.result.hops, whole.result.hops);
    }
  }
}

// Runs are scanned eight bytes at a time: a CR, LF or NUL at any offset of
// a word, in a line of any length, is still seen, and only there.
TEST(DataDecoderTest, LineEndsAndNulsAreFoundAtEveryOffset) {
  std::string clean = "Subject: offsets\r\n\r\n";
  std::string want = "Subject: offsets\n\n";
  for (size_t k = 0; k < 40; ++k) {
    clean += std::string(k, 'x') + "\r\n";
    want += std::string(k, 'x') + "\n";
  }
  Decoded ok = Decode(clean + ".\r\n");
  EXPECT_TRUE(ok.done);
  EXPECT_EQ(ok.out, want);
  EXPECT_TRUE(ok.result.acceptable());
  for (size_t k = 0; k < 24; ++k) {
    const std::string line(k, 'y');
    for (const char stray : {'\n', '\r', '\0'}) {
      std::string body = "\r\n" + line;
      body.push_back(stray);
      body += "zzzzzzzzzzzzzzzz\r\n.\r\n";
      Decoded d = Decode(body);
      EXPECT_TRUE(d.done) << "offset " << k;
      if (stray == '\0') {
        EXPECT_TRUE(d.result.nul) << "offset " << k;
        EXPECT_FALSE(d.result.bare_cr_or_lf) << "offset " << k;
      } else {
        EXPECT_TRUE(d.result.bare_cr_or_lf) << "offset " << k << " byte " << int{stray};
        EXPECT_FALSE(d.result.nul) << "offset " << k;
      }
    }
  }
}

}  // namespace
}  // namespace yubin::smtp
