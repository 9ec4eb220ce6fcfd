#include "lib/address/address.h"

#include <gtest/gtest.h>

namespace yubin::address {
namespace {

struct Good {
  const char* text;
  PathKind kind;
  const char* local;
  const char* domain;
};

TEST(ParsePathTest, AcceptsValidPaths) {
  const Good cases[] = {
      {"<user@example.com>", PathKind::kForward, "user", "example.com"},
      {"<a.b+c@sub.example-x.com>", PathKind::kReverse, "a.b+c",
       "sub.example-x.com"},
      {"<\"a b\"@example.com>", PathKind::kForward, "a b", "example.com"},
      {"<\"a\\\"b\"@example.com>", PathKind::kForward, "a\"b", "example.com"},
      {"<u@[192.0.2.1]>", PathKind::kForward, "u", "[192.0.2.1]"},
      {"<u@[IPv6:2001:db8::1]>", PathKind::kForward, "u", "[IPv6:2001:db8::1]"},
      // Source routes are ignored.
      {"<@relay.example:u@example.com>", PathKind::kForward, "u",
       "example.com"},
      {"<@a.example,@b.example:u@example.com>", PathKind::kForward, "u",
       "example.com"},
      {"<Postmaster>", PathKind::kForward, "Postmaster", ""},
      {"<u%other.example@example.com>", PathKind::kForward,
       "u%other.example", "example.com"},
  };
  for (const Good& c : cases) {
    auto p = ParsePath(c.text, c.kind);
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.status().message();
    EXPECT_FALSE(p->is_null) << c.text;
    EXPECT_EQ(p->mailbox.local, c.local) << c.text;
    EXPECT_EQ(p->mailbox.domain, c.domain) << c.text;
  }
}

TEST(ParsePathTest, NullSenderOnlyInReversePath) {
  auto p = ParsePath("<>", PathKind::kReverse);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->is_null);
  EXPECT_EQ(p->mailbox.ToString(), "");
  EXPECT_FALSE(ParsePath("<>", PathKind::kForward).ok());
  EXPECT_FALSE(ParsePath("<postmaster>", PathKind::kReverse).ok());
}

TEST(ParsePathTest, RejectsMalformedPaths) {
  const char* bad[] = {
      "user@example.com",          // no brackets
      "<user@example.com",         // unterminated
      "<user>",                    // no domain
      "<@example.com>",            // no local part
      "<u@>",                      //
      "<u@d@[192.0.2.1]>",         // two @
      "<u@example..com>",          //
      "<u@-example.com>",          //
      "<u@example-.com>",          //
      "<u@exa_mple.com>",          //
      "<.u@example.com>",          //
      "<u.@example.com>",          //
      "<u..v@example.com>",        //
      "<\"u@example.com>",         // unterminated quote
      "<u v@example.com>",         //
      "<u@[300.1.1.1]>",           //
      "<u@[1.2.3]>",               //
      "<u@[IPv6:zz::1]>",          //
      "<@a.example u@example.com>",  // route without colon
      "<@a.example,:u@example.com>",
      "<@:u@example.com>",
      "<u@example.com\x01>",
      "<u\xc3\xa9@example.com>",   // 8-bit
      "<<u@example.com>>",
  };
  for (const char* text : bad) {
    EXPECT_FALSE(ParsePath(text, PathKind::kForward).ok()) << text;
    EXPECT_FALSE(ParsePath(text, PathKind::kReverse).ok()) << text;
  }
}

TEST(ParsePathTest, LengthLimits) {
  std::string local64(64, 'a'), local65(65, 'a');
  EXPECT_TRUE(ParsePath("<" + local64 + "@example.com>", PathKind::kForward).ok());
  auto p = ParsePath("<" + local65 + "@example.com>", PathKind::kForward);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("64"), std::string::npos);

  // A 63-byte label is fine, 64 is not.
  EXPECT_TRUE(IsValidDomain(std::string(63, 'a') + ".com"));
  EXPECT_FALSE(IsValidDomain(std::string(64, 'a') + ".com"));
  // Domain of 255 bytes: 4 labels of 63 plus 3 dots = 255.
  std::string l63(63, 'b');
  std::string d255 = l63 + "." + l63 + "." + l63 + "." + l63;
  ASSERT_EQ(d255.size(), 255u);
  EXPECT_TRUE(IsValidDomain(d255));
  EXPECT_FALSE(IsValidDomain(d255 + "c"));

  // The whole path is bounded at 256 bytes including the brackets.
  std::string path = "<a@" + d255 + ">";
  EXPECT_GT(path.size(), kMaxPathBytes);
  auto q = ParsePath(path, PathKind::kForward);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("256"), std::string::npos);
  std::string d250 = l63 + "." + l63 + "." + l63 + "." + std::string(58, 'c');
  std::string path256 = "<" + std::string(3, 'a') + "@" + d250 + ">";
  ASSERT_EQ(path256.size(), 256u);
  EXPECT_TRUE(ParsePath(path256, PathKind::kForward).ok());
}

TEST(ParsePathTest, RoutedLocalParts) {
  EXPECT_TRUE(IsRoutedLocalPart("u%other.example"));
  EXPECT_TRUE(IsRoutedLocalPart("host!u"));
  EXPECT_TRUE(IsRoutedLocalPart("u@other.example"));  // from "u@d"@x
  EXPECT_FALSE(IsRoutedLocalPart("first.last+tag"));
  auto p = ParsePath("<\"u@other.example\"@example.com>", PathKind::kForward);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(IsRoutedLocalPart(p->mailbox.local));
}

TEST(MailboxTest, ToStringQuotesWhenNeeded) {
  Mailbox m{.local = "a b", .domain = "example.com"};
  EXPECT_EQ(m.ToString(), "\"a b\"@example.com");
  m.local = "plain.name";
  EXPECT_EQ(m.ToString(), "plain.name@example.com");
  m.local = "q\"x";
  EXPECT_EQ(m.ToString(), "\"q\\\"x\"@example.com");
  auto back = ParsePath("<" + m.ToString() + ">", PathKind::kForward);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->mailbox.local, "q\"x");
}

}  // namespace
}  // namespace yubin::address
