#include "lib/deliver/message_copy.h"

#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "lib/base/buffered_io.h"
#include "lib/deliver/test_message.h"

namespace yubin::deliver {
namespace {

std::string Copy(const std::string& message, MboxQuoting quoting) {
  int in = testing::MessageFd(message);
  int out = testing::MessageFd("");
  {
    BufferedWriter w(out);
    EXPECT_TRUE(CopyMessage(in, &w, quoting).ok());
    EXPECT_TRUE(w.Flush().ok());
  }
  ::lseek(out, 0, SEEK_SET);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out, buf, sizeof buf)) > 0) got.append(buf, n);
  ::close(in);
  ::close(out);
  return got;
}

TEST(CopyMessageTest, PlainCopyIsExact) {
  std::string m = "From x\nSubject: a\n\nFrom here\nno newline";
  EXPECT_EQ(Copy(m, MboxQuoting::kNone), m);
}

TEST(CopyMessageTest, QuotesFromLinesMboxrd) {
  std::string m = "Subject: a\n\nFrom here\n>From there\n>>From x\nFrom\nFromage\n >From\n";
  std::string want =
      "Subject: a\n\n>From here\n>>From there\n>>>From x\nFrom\nFromage\n >From\n";
  EXPECT_EQ(Copy(m, MboxQuoting::kQuoteFrom), want);
}

TEST(CopyMessageTest, TerminatesLastLine) {
  EXPECT_EQ(Copy("a\nb", MboxQuoting::kQuoteFrom), "a\nb\n");
  EXPECT_EQ(Copy("a\nFro", MboxQuoting::kQuoteFrom), "a\nFro\n");
  EXPECT_EQ(Copy("", MboxQuoting::kQuoteFrom), "");
  EXPECT_EQ(Copy("From ", MboxQuoting::kQuoteFrom), ">From \n");
}

TEST(CopyMessageTest, QuotesAcrossReadChunks) {
  // A From line starting exactly at and around the 64 KiB chunk boundary.
  for (size_t pad : {65536u - 3u, 65536u - 1u, 65536u, 65536u + 2u}) {
    std::string m(pad - 1, 'x');
    m += "\nFrom split\nend\n";
    std::string got = Copy(m, MboxQuoting::kQuoteFrom);
    std::string want(pad - 1, 'x');
    want += "\n>From split\nend\n";
    EXPECT_EQ(got == want, true) << "pad " << pad;
  }
}

}  // namespace
}  // namespace yubin::deliver
