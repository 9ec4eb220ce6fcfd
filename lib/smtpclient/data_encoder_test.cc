#include "lib/smtpclient/data_encoder.h"

#include <gtest/gtest.h>

namespace yubin::smtpclient {
namespace {

std::string EncodeAll(std::string_view in) {
  DataEncoder enc;
  std::string out;
  enc.Encode(in, &out);
  enc.Finish(&out);
  return out;
}

TEST(DataEncoder, LfBecomesCrlf) {
  EXPECT_EQ(EncodeAll("a\nb\n"), "a\r\nb\r\n.\r\n");
}

TEST(DataEncoder, CrlfStays) { EXPECT_EQ(EncodeAll("a\r\nb\r\n"), "a\r\nb\r\n.\r\n"); }

TEST(DataEncoder, BareCrIsNeverAlone) {
  EXPECT_EQ(EncodeAll("a\rb\n"), "a\r\nb\r\n.\r\n");
  EXPECT_EQ(EncodeAll("a\r"), "a\r\n.\r\n");
}

TEST(DataEncoder, DotStuffing) {
  EXPECT_EQ(EncodeAll(".\n..x\nmid.dle\n"), "..\r\n...x\r\nmid.dle\r\n.\r\n");
}

TEST(DataEncoder, SmugglingAttemptsAreStuffed) {
  // "\n.\r\n", "\r.\r" and "\n.\n" must not end the data early.
  EXPECT_EQ(EncodeAll("a\n.\r\nMAIL FROM:<x>\n"),
            "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
  EXPECT_EQ(EncodeAll("a\r.\rb\n"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(EncodeAll("a\n.\nb\n"), "a\r\n..\r\nb\r\n.\r\n");
}

TEST(DataEncoder, UnterminatedAndEmpty) {
  EXPECT_EQ(EncodeAll("no newline"), "no newline\r\n.\r\n");
  EXPECT_EQ(EncodeAll(""), ".\r\n");
}

TEST(DataEncoder, SplitAnywhere) {
  std::string in = "x\r\n.y\r\r\n\n.\rz";
  std::string want = EncodeAll(in);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    DataEncoder enc;
    std::string out;
    enc.Encode(std::string_view(in).substr(0, cut), &out);
    enc.Encode(std::string_view(in).substr(cut), &out);
    enc.Finish(&out);
    EXPECT_EQ(out, want) << "split at " << cut;
  }
}

}  // namespace
}  // namespace yubin::smtpclient
