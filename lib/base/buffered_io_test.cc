#include "lib/base/buffered_io.h"

#include <unistd.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lib/base/fd.h"

namespace yubin {
namespace {

// A pipe whose write end is fed the given bytes and then closed.
int PipeWith(const std::string& data) {
  int p[2];
  EXPECT_EQ(pipe(p), 0);
  std::thread([fd = p[1], data] {
    (void)WriteAll(fd, data);
    close(fd);
  }).detach();
  return p[0];
}

TEST(BufferedReaderTest, ReadsLines) {
  UniqueFd fd(PipeWith("one\ntwo\n\nlast"));
  BufferedReader in(fd.get(), 4);  // a tiny buffer: lines span refills
  std::string line;
  EXPECT_EQ(in.ReadLine(100, &line), LineStatus::kLine);
  EXPECT_EQ(line, "one");
  EXPECT_EQ(in.ReadLine(100, &line), LineStatus::kLine);
  EXPECT_EQ(line, "two");
  EXPECT_EQ(in.ReadLine(100, &line), LineStatus::kLine);
  EXPECT_EQ(line, "");
  EXPECT_EQ(in.ReadLine(100, &line), LineStatus::kUnterminated);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(in.ReadLine(100, &line), LineStatus::kEof);
  EXPECT_EQ(line, "");
}

TEST(BufferedReaderTest, LineExactlyAtLimitIsALine) {
  std::string exact(10, 'a');
  UniqueFd fd(PipeWith(exact + "\nnext\n"));
  BufferedReader in(fd.get(), 3);
  std::string line;
  EXPECT_EQ(in.ReadLine(10, &line), LineStatus::kLine);
  EXPECT_EQ(line, exact);
  EXPECT_EQ(in.ReadLine(10, &line), LineStatus::kLine);
  EXPECT_EQ(line, "next");
}

TEST(BufferedReaderTest, OneByteOverLimitIsTooLong) {
  std::string over(11, 'b');
  UniqueFd fd(PipeWith(over + "\nnext\n"));
  BufferedReader in(fd.get(), 64);
  std::string line;
  EXPECT_EQ(in.ReadLine(10, &line), LineStatus::kTooLong);
  EXPECT_EQ(line, std::string(10, 'b'));
  // The rest of the line is still there for a caller that wants to split.
  EXPECT_EQ(in.ReadLine(10, &line), LineStatus::kLine);
  EXPECT_EQ(line, "b");
  EXPECT_EQ(in.ReadLine(10, &line), LineStatus::kLine);
  EXPECT_EQ(line, "next");
}

TEST(BufferedReaderTest, SkipLineDiscardsTheRest) {
  UniqueFd fd(PipeWith(std::string(100000, 'x') + "\nok\n"));
  BufferedReader in(fd.get(), 512);
  std::string line;
  EXPECT_EQ(in.ReadLine(512, &line), LineStatus::kTooLong);
  EXPECT_EQ(line.size(), 512u);
  EXPECT_TRUE(in.SkipLine());
  EXPECT_EQ(in.ReadLine(512, &line), LineStatus::kLine);
  EXPECT_EQ(line, "ok");
  EXPECT_FALSE(in.SkipLine());
}

TEST(BufferedReaderTest, ReadErrorIsReported) {
  BufferedReader in(-1, 16);
  std::string line;
  EXPECT_EQ(in.ReadLine(16, &line), LineStatus::kError);
  EXPECT_EQ(in.error_number(), EBADF);
}

TEST(BufferedReaderTest, ReadMixesBufferedAndDirect) {
  std::string data(5000, 'q');
  data += "tail";
  UniqueFd fd(PipeWith(data));
  BufferedReader in(fd.get(), 16);
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = in.Read(buf, got.size() % 2 ? 3 : sizeof buf);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    got.append(buf, n);
  }
  EXPECT_EQ(got, data);
}

TEST(BufferedWriterTest, BuffersUntilFlush) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  UniqueFd r(p[0]);
  {
    BufferedWriter out(p[1], 8);
    ASSERT_TRUE(out.Put("abc").ok());
    EXPECT_EQ(out.pending(), 3u);
    ASSERT_TRUE(out.Put("defghijklmnop").ok());  // larger than the buffer
    ASSERT_TRUE(out.PutChar('!').ok());
    ASSERT_TRUE(out.Flush().ok());
    EXPECT_EQ(out.pending(), 0u);
  }
  close(p[1]);
  char buf[64];
  EXPECT_EQ(ReadFull(r.get(), buf, sizeof buf), 17);
  EXPECT_EQ(std::string(buf, 17), "abcdefghijklmnop!");
}

TEST(BufferedWriterTest, ErrorSticks) {
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  BufferedWriter out(p[1], 4);
  ASSERT_TRUE(out.Put("ab").ok());
  Status s = out.Flush();
  EXPECT_EQ(s.error_number(), EPIPE);
  EXPECT_EQ(out.Put("c").error_number(), EPIPE);
  close(p[1]);
}

}  // namespace
}  // namespace yubin
