#include "lib/smtp/command.h"

#include <gtest/gtest.h>

namespace yubin::smtp {
namespace {

TEST(ParseCommandTest, VerbsAreCaseInsensitive) {
  struct Case {
    const char* line;
    Verb verb;
  } cases[] = {
      {"HELO x\r", Verb::kHelo}, {"ehlo x\r", Verb::kEhlo},
      {"Data\r", Verb::kData},   {"rset\r", Verb::kRset},
      {"NOOP\r", Verb::kNoop},   {"quit\r", Verb::kQuit},
      {"VRFY u\r", Verb::kVrfy}, {"HELP\r", Verb::kHelp},
      {"EXPN list\r", Verb::kNotImplemented},
      {"STARTTLS\r", Verb::kNotImplemented},
      {"XYZZY\r", Verb::kUnknown}, {"\r", Verb::kUnknown},
      {"MAILX FROM:<>\r", Verb::kUnknown},
  };
  for (const Case& c : cases) {
    Command cmd = ParseCommand(c.line);
    EXPECT_EQ(cmd.error, ParseError::kNone) << c.line;
    EXPECT_EQ(cmd.verb, c.verb) << c.line;
  }
}

TEST(ParseCommandTest, MailWithParameters) {
  Command c = ParseCommand("mail from:<a@example.com> size=100 BODY=8BITMIME\r");
  ASSERT_EQ(c.error, ParseError::kNone) << c.detail;
  EXPECT_EQ(c.verb, Verb::kMail);
  EXPECT_EQ(c.path, "<a@example.com>");
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(c.params[0].first, "SIZE");
  EXPECT_EQ(c.params[0].second, "100");
  EXPECT_EQ(c.params[1].first, "BODY");
  EXPECT_EQ(c.params[1].second, "8BITMIME");
}

TEST(ParseCommandTest, PathWithQuotedBracketAndSpaceAfterColon) {
  Command c = ParseCommand("RCPT TO: <\"a> b\"@example.com>\r");
  ASSERT_EQ(c.error, ParseError::kNone) << c.detail;
  EXPECT_EQ(c.path, "<\"a> b\"@example.com>");
  EXPECT_TRUE(c.params.empty());
  c = ParseCommand("MAIL FROM:<>\r");
  ASSERT_EQ(c.error, ParseError::kNone);
  EXPECT_EQ(c.path, "<>");
}

TEST(ParseCommandTest, MailAndRcptSyntaxErrors) {
  const char* bad[] = {
      "MAIL\r", "MAIL TO:<a@b.c>\r", "MAIL FROM:\r", "RCPT\r",
      "RCPT FROM:<a@b.c>\r", "RCPT TO:\r", "MAIL FROM:<a@b.c>x\r",
      "MAIL FROM:<a@b.c> =1\r", "MAIL FROM:<a@b.c> SIZE=\r",
      "MAIL FROM:<a@b.c> A=1=2\r", "MAIL FROM:<a@b.c> K_Y=1\r",
      "MAIL FROM:<a@b.c> A B C D E F G H I\r",
  };
  for (const char* line : bad) {
    Command c = ParseCommand(line);
    EXPECT_EQ(c.error, ParseError::kSyntax) << line;
    EXPECT_FALSE(c.detail.empty()) << line;
  }
}

TEST(ParseCommandTest, FramingAndByteErrors) {
  EXPECT_EQ(ParseCommand("NOOP").error, ParseError::kBareLf);
  EXPECT_EQ(ParseCommand("").error, ParseError::kBareLf);
  EXPECT_EQ(ParseCommand("NO\rOP\r").error, ParseError::kBareCr);
  EXPECT_EQ(ParseCommand(std::string("NO\0OP\r", 6)).error, ParseError::kNul);
  EXPECT_EQ(ParseCommand("HELO h\xe9\r").error, ParseError::kEightBit);
  EXPECT_EQ(ParseCommand("HELO\th\r").error, ParseError::kControl);
  EXPECT_EQ(ParseCommand("HELO \x7f\r").error, ParseError::kControl);
}

TEST(ParseCommandTest, LengthLimitCountsTheCrlf) {
  // 510 bytes + CR + LF = 512: the longest allowed line.
  std::string ok = "NOOP " + std::string(505, 'a') + "\r";
  ASSERT_EQ(ok.size() + 1, kMaxCommandLineBytes);
  EXPECT_EQ(ParseCommand(ok).error, ParseError::kNone);
  EXPECT_EQ(ParseCommand("NOOP " + std::string(506, 'a') + "\r").error,
            ParseError::kTooLong);
}

TEST(ParseCommandTest, ArgumentLosesTrailingBlanks) {
  Command c = ParseCommand("HELO client.example   \r");
  EXPECT_EQ(c.arg, "client.example");
  EXPECT_EQ(ParseCommand("DATA \r").arg, "");
}

}  // namespace
}  // namespace yubin::smtp
