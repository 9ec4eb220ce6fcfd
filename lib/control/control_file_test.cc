#include "lib/control/control_file.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace yubin::control {
namespace {

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(ParseControlLinesTest, TrimsAndSkipsCommentsAndBlankLines) {
  auto lines = ParseControlLines(
      "# comment\n  example.com  \n\n\t.example.org\r\n#x\nlast");
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  std::vector<std::string> want = {"example.com", ".example.org", "last"};
  EXPECT_EQ(*lines, want);
}

TEST(ParseControlLinesTest, RejectsOverlongEntryAndNul) {
  EXPECT_FALSE(
      ParseControlLines(std::string(kMaxControlLineBytes + 1, 'a')).ok());
  EXPECT_TRUE(ParseControlLines(std::string(kMaxControlLineBytes, 'a')).ok());
  EXPECT_FALSE(ParseControlLines(std::string("a\0b\n", 4)).ok());
}

TEST(ReadControlTest, MissingFileIsNullopt) {
  auto lines = ReadControlLines(TempPath("no-such-control-file"));
  ASSERT_TRUE(lines.ok());
  EXPECT_FALSE(lines->has_value());
  auto v = ReadControlValue(TempPath("no-such-control-file"), "dflt");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "dflt");
}

TEST(ReadControlTest, FirstValueAndNumbers) {
  std::string p = TempPath("number");
  Write(p, "# size\n 12345 \n99\n");
  auto n = ReadControlNumber(p, 7, 100000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 12345u);
  EXPECT_FALSE(ReadControlNumber(p, 7, 100).ok()) << "over max must fail";
  Write(p, "12x\n");
  EXPECT_FALSE(ReadControlNumber(p, 7, 100).ok());
  Write(p, "\n# nothing\n");
  n = ReadControlNumber(p, 7, 100);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 7u) << "empty file takes the default";
}

TEST(ReadControlTest, OversizeFileIsAnError) {
  std::string p = TempPath("huge");
  Write(p, std::string(kMaxControlFileBytes + 1, '\n'));
  EXPECT_FALSE(ReadControlLines(p).ok());
}

TEST(ParseDecimalTest, Bounds) {
  EXPECT_EQ(ParseDecimal("0", 10), 0u);
  EXPECT_EQ(ParseDecimal("10", 10), 10u);
  EXPECT_EQ(ParseDecimal("11", 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("", 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("-1", 10), std::nullopt);
  EXPECT_EQ(ParseDecimal("18446744073709551616", UINT64_MAX), std::nullopt);
  EXPECT_EQ(ParseDecimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
}

}  // namespace
}  // namespace yubin::control
