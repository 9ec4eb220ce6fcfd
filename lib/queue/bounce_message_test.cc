#include "lib/queue/bounce_message.h"

#include <gtest/gtest.h>

namespace yubin::queue {
namespace {

BounceSettings Settings() {
  BounceSettings s;
  s.me = "mx.example.com";
  s.bouncehost = "bounce.example.com";
  s.doublebouncehost = "db.example.com";
  return s;
}

TEST(BounceMessage, PlainBounceGoesToSenderFromNullSender) {
  auto p = PlanBounce(Settings(), "alice@example.org");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->double_bounce);
  EXPECT_EQ(p->sender, "");
  EXPECT_EQ(p->recipient, "alice@example.org");
  EXPECT_EQ(p->from, "MAILER-DAEMON@bounce.example.com");
}

TEST(BounceMessage, BounceOfBounceGoesToPostmaster) {
  auto p = PlanBounce(Settings(), "");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->double_bounce);
  EXPECT_EQ(p->sender, "#@[]");
  EXPECT_EQ(p->recipient, "postmaster@db.example.com");
  BounceSettings s = Settings();
  s.doublebounceto = "ops@else.where";
  EXPECT_EQ(PlanBounce(s, "")->recipient, "ops@else.where");
}

TEST(BounceMessage, FailedDoubleBounceIsDropped) {
  EXPECT_FALSE(PlanBounce(Settings(), "#@[]"));
}

TEST(BounceMessage, QsbmfBodyListsEachRecipientOnce) {
  auto p = PlanBounce(Settings(), "alice@example.org");
  std::string b = BuildBounce(Settings(), *p,
                              {{"kim@example.com", "Sorry, no mailbox here.\n"},
                               {"lee@example.com", "disk quota exceeded"},
                               {"kim@example.com", "Sorry, no mailbox here."}},
                              "Subject: hi\n\nbody\n", 0);
  EXPECT_NE(b.find("From: MAILER-DAEMON@bounce.example.com\n"), std::string::npos) << b;
  EXPECT_NE(b.find("To: alice@example.org\n"), std::string::npos) << b;
  EXPECT_NE(b.find("\n\nHi. This is the yubin-send program at mx.example.com.\n"),
            std::string::npos) << b;
  EXPECT_NE(b.find("\n<kim@example.com>:\nSorry, no mailbox here.\n\n<lee@example.com>:\n"
                   "disk quota exceeded\n\n--- Below this line is a copy of the message.\n\n"
                   "Subject: hi\n\nbody\n"),
            std::string::npos) << b;
  EXPECT_EQ(b.find("<kim@example.com>:"), b.rfind("<kim@example.com>:"))
      << "kim listed twice";
}

TEST(BounceMessage, LongMessageIsCut) {
  auto p = PlanBounce(Settings(), "a@b");
  std::string big(kBounceCopyLimit + 10, 'x');
  std::string b = BuildBounce(Settings(), *p, {{"r@s", "why"}}, big, 0);
  EXPECT_NE(b.find("--- Below this line is the top of the message"), std::string::npos);
  EXPECT_LT(b.size(), kBounceCopyLimit + 2000);
}

}  // namespace
}  // namespace yubin::queue
