#include "lib/inject/message_header.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "lib/base/buffered_io.h"
#include "lib/base/fd.h"
#include "lib/inject/message_reader.h"

namespace yubin::inject {
namespace {

// Feeds text through a pipe, as stdin would, and reads lines back.
class PipeInput {
 public:
  explicit PipeInput(std::string text) {
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    r_.reset(p[0]);
    writer_ = std::thread([w = p[1], t = std::move(text)] {
      (void)WriteAll(w, t);
      close(w);
    });
  }
  ~PipeInput() { writer_.join(); }
  int fd() const { return r_.get(); }

 private:
  UniqueFd r_;
  std::thread writer_;
};

std::string ReadAllLines(std::string text, bool dots) {
  PipeInput input(std::move(text));
  BufferedReader in(input.fd());
  MessageLineReader lines(&in, dots);
  std::string out, line;
  for (;;) {
    MessageLine got = lines.Next(&line);
    if (got == MessageLine::kEnd || got == MessageLine::kError) break;
    out += line;
    out += got == MessageLine::kPiece ? "|" : "\n";
  }
  return out;
}

TEST(MessageReaderTest, DotEndsInputOnlyWhenAsked) {
  EXPECT_EQ(ReadAllLines("a\r\n.\nb\n", true), "a\n");
  EXPECT_EQ(ReadAllLines("a\r\n.\nb\n", false), "a\n.\nb\n");
  EXPECT_EQ(ReadAllLines("a\n..\n.x\nlast", true), "a\n..\n.x\nlast\n");
}

TEST(MessageReaderTest, LongLinesComeInPiecesAndNoDotCheckMidLine) {
  std::string long_line(kMaxMessageLineBytes, 'x');
  std::string got = ReadAllLines(long_line + ".\nz\n", true);
  EXPECT_EQ(got, long_line + "|.\nz\n");
}

TEST(MessageHeaderTest, FieldsFoldingAndBodyStart) {
  Result<MessageHeader> h =
      ParseMessageHeader("From joe Sat Nov 28 2026\nTo: a,\n  b\nSubject : hi\n\nbody\n");
  ASSERT_TRUE(h.ok()) << h.status().message();
  ASSERT_EQ(h->fields.size(), 2u);
  EXPECT_EQ(h->fields[0].name, "To");
  EXPECT_EQ(h->fields[0].text, "To: a,\n  b\n");
  EXPECT_EQ(FieldBody(h->fields[0]), " a,\n  b\n");
  EXPECT_TRUE(FieldNameIs(h->fields[1], "subject"));
  EXPECT_FALSE(h->first_body_line.has_value());
  EXPECT_FALSE(h->input_ended);
}

TEST(MessageHeaderTest, NonFieldLineStartsBody) {
  Result<MessageHeader> h = ParseMessageHeader("Subject: x\nhello there\nmore\n");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->fields.size(), 1u);
  ASSERT_TRUE(h->first_body_line.has_value());
  EXPECT_EQ(*h->first_body_line, "hello there");
  Result<MessageHeader> only = ParseMessageHeader("Subject: x\n");
  ASSERT_TRUE(only.ok());
  EXPECT_TRUE(only->input_ended);
  EXPECT_FALSE(FieldNameOf(" x: y").has_value());
  EXPECT_FALSE(FieldNameOf(": y").has_value());
}

TEST(MessageHeaderTest, Limits) {
  std::string huge_field = "X-Big: a\n";
  for (size_t i = 0; i * 100 < kMaxHeaderFieldBytes; ++i) {
    huge_field += " " + std::string(99, 'b') + "\n";
  }
  EXPECT_FALSE(ParseMessageHeader(huge_field).ok()) << "got ok, want field too long";
  std::string many;
  for (size_t i = 0; i <= kMaxHeaderFields; ++i) many += "X: y\n";
  EXPECT_FALSE(ParseMessageHeader(many).ok()) << "got ok, want too many fields";
  std::string long_line = "X: " + std::string(kMaxMessageLineBytes, 'y') + "\n";
  EXPECT_FALSE(ParseMessageHeader(long_line).ok());
}

}  // namespace
}  // namespace yubin::inject
