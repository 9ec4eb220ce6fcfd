#include "lib/inject/header_rewrite.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "lib/inject/message_header.h"

namespace yubin::inject {
namespace {

RewriteInputs Inputs(bool collect) {
  RewriteInputs in;
  in.defaults.default_host = "mail.ex.com";
  in.defaults.default_domain = "ex.com";
  in.defaults.user = "joe";
  in.defaults.from_host = "ex.com";
  in.defaults.full_name = "Joe Bloggs";
  in.date = "Sat, 28 Nov 2026 12:00:00 +0000";
  in.message_id = "<id@mail.ex.com>";
  in.collect_recipients = collect;
  return in;
}

RewrittenHeader Rewrite(std::string_view text, bool collect) {
  Result<MessageHeader> h = ParseMessageHeader(text);
  EXPECT_TRUE(h.ok()) << h.status().message();
  Result<RewrittenHeader> r = RewriteHeader(*h, Inputs(collect));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : RewrittenHeader{};
}

TEST(HeaderRewriteTest, AddsMissingFieldsAndStripsBcc) {
  RewrittenHeader r = Rewrite(
      "To: ann, Bob <bob@box>\nBcc: secret@x.org\nReturn-Path: <x@y.z>\n"
      "Subject: hi\n\n", true);
  EXPECT_EQ(r.text,
            "To: ann@mail.ex.com, Bob <bob@box.ex.com>\n"
            "Subject: hi\n"
            "From: Joe Bloggs <joe@ex.com>\n"
            "Date: Sat, 28 Nov 2026 12:00:00 +0000\n"
            "Message-ID: <id@mail.ex.com>\n");
  EXPECT_EQ(r.recipients, (std::vector<std::string>{
                              "ann@mail.ex.com", "bob@box.ex.com", "secret@x.org"}));
}

TEST(HeaderRewriteTest, KeepsPresentFieldsAndCollectsOnlyWhenAsked) {
  RewrittenHeader r = Rewrite(
      "from: me\nDATE: x\nMessage-Id: <a@b>\ncc: c@d.e\n\n", false);
  EXPECT_EQ(r.text, "from: me@mail.ex.com\nDATE: x\nMessage-Id: <a@b>\ncc: c@d.e\n");
  EXPECT_TRUE(r.recipients.empty());
}

TEST(HeaderRewriteTest, ResentFieldsWin) {
  RewrittenHeader r = Rewrite(
      "To: old@x.org\nResent-To: new@x.org\nResent-Bcc: hidden@x.org\n\n", true);
  EXPECT_EQ(r.recipients, (std::vector<std::string>{"new@x.org", "hidden@x.org"}));
  EXPECT_EQ(r.text.find("hidden"), std::string::npos) << r.text;
}

TEST(HeaderRewriteTest, UnparsableRecipientFieldIsPermanent) {
  Result<MessageHeader> h = ParseMessageHeader("To: (oops\n\n");
  ASSERT_TRUE(h.ok());
  Result<RewrittenHeader> r = RewriteHeader(*h, Inputs(true));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().permanent());
  EXPECT_TRUE(RewriteHeader(*h, Inputs(false)).ok())
      << "without -t a strange To: passes unchanged";
}

TEST(HeaderRewriteTest, FromField) {
  EXPECT_EQ(FormatFromField("", "a@b.c"), "From: a@b.c\n");
  EXPECT_EQ(FormatFromField("Ann Lee", "a@b.c"), "From: Ann Lee <a@b.c>\n");
  EXPECT_EQ(FormatFromField("Lee, Ann \"Al\"", "a@b.c"),
            "From: \"Lee, Ann \\\"Al\\\"\" <a@b.c>\n");
  EXPECT_EQ(FormatFromField("J. Doe", "a@b.c"), "From: \"J. Doe\" <a@b.c>\n");
  EXPECT_EQ(FormatFromField("J\xc3\xbcrgen M\xc3\xbcller", "a@b.c"),
            "From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <a@b.c>\n");
  std::string accents;
  for (int i = 0; i < 30; ++i) accents += "\xc3\xa9";  // 60 bytes of e-acute
  EXPECT_EQ(FormatFromField(accents, "a@b.c"),
            "From: =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?= "
            "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqQ==?= <a@b.c>\n")
      << "a chunk must not split a UTF-8 sequence";
}

TEST(HeaderRewriteTest, MessageIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(MakeMessageId(1795000000, 42, "h.ex"));
  EXPECT_EQ(ids.size(), 1000u);
  std::string id = MakeMessageId(1795000000, 42, "h.ex");
  EXPECT_EQ(id.substr(0, 19), "<20261118110640.42.") << id;
  EXPECT_EQ(id.size(), std::string("<20261118110640.42.0123456789abcdef@h.ex>").size()) << id;
  EXPECT_EQ(id.substr(id.size() - 6), "@h.ex>");
}

}  // namespace
}  // namespace yubin::inject
