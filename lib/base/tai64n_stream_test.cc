#include "lib/base/tai64n_stream.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lib/base/fd.h"
#include "lib/base/tai64n.h"

namespace yubin {
namespace {

// Runs filter over input and returns everything it wrote.
std::string Filter(Status (*filter)(int, int), const std::string& input) {
  int in[2], out[2];
  EXPECT_EQ(pipe(in), 0);
  EXPECT_EQ(pipe(out), 0);
  std::thread feeder([fd = in[1], input] {
    (void)WriteAll(fd, input);
    close(fd);
  });
  std::string got;
  std::thread reader([fd = out[0], &got] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) got.append(buf, n);
  });
  EXPECT_TRUE(filter(in[0], out[1]).ok());
  close(in[0]);
  close(out[1]);
  feeder.join();
  reader.join();
  close(out[0]);
  return got;
}

TEST(StampLinesTest, PrefixesEveryLine) {
  std::string got = Filter(StampLines, "a\n\nlong line here\nno newline");
  // Four lines, each "@" + 24 hex + " " + text.
  std::string rest = got;
  const char* want[] = {"a\n", "\n", "long line here\n", "no newline"};
  for (const char* w : want) {
    ASSERT_GE(rest.size(), kTai64nLabelSize + 1);
    EXPECT_TRUE(ParseTai64nLabel(rest.substr(0, kTai64nLabelSize)).has_value())
        << rest;
    EXPECT_EQ(rest[kTai64nLabelSize], ' ');
    rest.erase(0, kTai64nLabelSize + 1);
    EXPECT_EQ(rest.substr(0, strlen(w)), w);
    rest.erase(0, strlen(w));
  }
  EXPECT_EQ(rest, "");
}

TEST(StampLinesTest, LongLinesGetOneStamp) {
  std::string line(100000, 'x');
  std::string got = Filter(StampLines, line + "\n");
  EXPECT_EQ(got.size(), kTai64nLabelSize + 1 + line.size() + 1);
  EXPECT_EQ(got.substr(kTai64nLabelSize + 1), line + "\n");
}

TEST(ConvertStampedLinesTest, ConvertsOnlyLineStarts) {
  setenv("TZ", "UTC", 1);
  tzset();
  std::string stamp = "@400000000000000a00000000";
  std::string got = Filter(ConvertStampedLines,
                           stamp + " one\nplain " + stamp + "\n" + stamp);
  EXPECT_EQ(got, "1970-01-01 00:00:00.000000000 one\nplain " + stamp +
                     "\n1970-01-01 00:00:00.000000000");
}

TEST(ConvertStampedLinesTest, VeryLongLinePassesThrough) {
  setenv("TZ", "UTC", 1);
  tzset();
  std::string tail(20000, 'y');
  std::string got =
      Filter(ConvertStampedLines, "@400000000000000a00000000 " + tail + "\n");
  EXPECT_EQ(got, "1970-01-01 00:00:00.000000000 " + tail + "\n");
}

}  // namespace
}  // namespace yubin
