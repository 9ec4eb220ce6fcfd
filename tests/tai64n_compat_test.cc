// Differential test: yubin's tai64n/tai64nlocal against daemontools'.
#include <unistd.h>

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

constexpr char kDaemontoolsTai64nlocal[] = "/usr/bin/tai64nlocal";

std::string OurTai64n() { return RunfilePath("cmd/tai64n/tai64n"); }
std::string OurTai64nlocal() {
  return RunfilePath("cmd/tai64nlocal/tai64nlocal");
}

std::string Hex(uint64_t v, int digits) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s(digits, '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) s[i] = kDigits[v & 15];
  return s;
}

// Lines with stamps from 1901 to 2100 (before 1970 included), fractions of
// every size, lines without stamps, empty lines, stamps in the middle.
std::string SampleInput() {
  std::mt19937_64 rng(42);
  std::string in;
  const uint64_t offset = (uint64_t{1} << 62) + 10;
  for (int i = 0; i < 500; ++i) {
    int64_t unix_seconds =
        static_cast<int64_t>(rng() % (200ull * 365 * 86400)) -
        int64_t{69} * 365 * 86400;
    uint32_t nanos = static_cast<uint32_t>(rng() % 1000000000);
    in += "@" + Hex(offset + static_cast<uint64_t>(unix_seconds), 16) +
          Hex(nanos, 8) + " line " + std::to_string(i) + "\n";
  }
  in += "\n";
  in += "no stamp at all\n";
  in += "text then @400000000000000a00000000 in the middle\n";
  in += "@400000000000000a00000000\n";          // stamp alone
  in += "@4000000000000009000001f4 pre-1970\n";  // one second before epoch
  in += "@400000000000000a00000000A upper\n";    // uppercase ends the stamp
  in += "@400000000000000a00000000 no newline at end";
  return in;
}

class Tai64nCompatTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (access(kDaemontoolsTai64nlocal, X_OK) != 0) {
      GTEST_SKIP() << "daemontools' tai64nlocal is not installed "
                      "(apt-get install daemontools); tools/test installs it";
    }
  }
};

TEST_P(Tai64nCompatTest, Tai64nlocalMatchesDaemontools) {
  std::string input = SampleInput();
  RunOptions opts{.input = input, .env = {std::string("TZ=") + GetParam()}};
  ProcessResult theirs = RunProcess({kDaemontoolsTai64nlocal}, opts);
  ProcessResult ours = RunProcess({OurTai64nlocal()}, opts);
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, theirs.out);
}

TEST_P(Tai64nCompatTest, OurStampsReadByDaemontools) {
  std::string input = "first\nsecond\n\nthird\n";
  RunOptions opts{.input = input, .env = {std::string("TZ=") + GetParam()}};
  ProcessResult stamped = RunProcess({OurTai64n()}, opts);
  ASSERT_EQ(stamped.exit_code, 0) << stamped.err;
  RunOptions convert_opts{.input = stamped.out, .env = opts.env};
  ProcessResult theirs = RunProcess({kDaemontoolsTai64nlocal}, convert_opts);
  ProcessResult ours = RunProcess({OurTai64nlocal()}, convert_opts);
  EXPECT_EQ(ours.out, theirs.out);
  // Each line is now "YYYY-MM-DD HH:MM:SS.nnnnnnnnn text".
  size_t lines = 0, pos = 0;
  const char* want[] = {"first", "second", "", "third"};
  while (pos < theirs.out.size()) {
    size_t nl = theirs.out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::string line = theirs.out.substr(pos, nl - pos);
    ASSERT_GE(line.size(), 30u) << line;
    EXPECT_EQ(line[4], '-');
    EXPECT_EQ(line[19], '.');
    EXPECT_EQ(line.substr(30), want[lines]);
    ++lines;
    pos = nl + 1;
  }
  EXPECT_EQ(lines, 4u);
}

INSTANTIATE_TEST_SUITE_P(Zones, Tai64nCompatTest,
                         ::testing::Values("UTC", "Asia/Tokyo",
                                           "America/New_York"));

TEST(Tai64nCommandTest, HelpGoesToStdoutAndExitsZero) {
  ProcessResult r = RunProcess({OurTai64nlocal(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: tai64nlocal"), std::string::npos) << r.out;
}

TEST(Tai64nCommandTest, WriteErrorExits111) {
  // stdout closed: the first write fails with EBADF.
  ProcessResult r = RunShell(OurTai64n() + " >&-", {.input = "x\n"});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.err.find("tai64n: fatal: write"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace yubin::testing
