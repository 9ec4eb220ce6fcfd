// Flag parsing of yubin-inject and sendmail (mailq, newaliases).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/inject/flag_scanner.h"
#include "lib/inject/inject_command.h"
#include "lib/inject/sendmail_command.h"

namespace yubin::inject {
namespace {

using Args = std::vector<std::string>;

TEST(FlagScannerTest, ClustersValuesAndOperands) {
  std::string seen;
  Result<size_t> first = ScanFlags(
      Args{"-ab", "-cval", "-c", "v2", "-q", "-q5m", "--", "-x"},
      FlagSpec{.no_value = "ab", .value = "c", .optional_value = "q"},
      [&seen](char f, std::string_view v) {
        seen += f;
        seen += "=" + std::string(v) + ";";
        return Status::Ok();
      });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 7u);
  EXPECT_EQ(seen, "a=;b=;c=val;c=v2;q=;q=5m;");
  auto nop = [](char, std::string_view) { return Status::Ok(); };
  EXPECT_FALSE(ScanFlags(Args{"-z"}, FlagSpec{.no_value = "a"}, nop).ok());
  EXPECT_FALSE(ScanFlags(Args{"-c"}, FlagSpec{.value = "c"}, nop).ok());
  Result<size_t> stop = ScanFlags(Args{"-a", "rcpt", "-a"}, FlagSpec{.no_value = "a"}, nop);
  ASSERT_TRUE(stop.ok());
  EXPECT_EQ(*stop, 1u);
}

TEST(InjectArgsTest, Flags) {
  Result<InjectOptions> o = ParseInjectArgs(Args{"-f", "me@x.org", "-FAnn Lee", "joe"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o->sender, "me@x.org");
  EXPECT_EQ(*o->full_name, "Ann Lee");
  EXPECT_EQ(o->recipients, Args{"joe"});
  EXPECT_FALSE(o->recipients_from_header);
  EXPECT_FALSE(o->dot_ends_input);

  Result<InjectOptions> none = ParseInjectArgs(Args{"-n"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->recipients_from_header) << "no arguments: recipients from header";
  EXPECT_TRUE(none->print_only);
  EXPECT_FALSE(ParseInjectArgs(Args{"-x"}).ok());
}

TEST(SendmailArgsTest, DeliveryFlags) {
  Result<SendmailCommand> c = ParseSendmailArgs(
      "sendmail", Args{"-t", "-oi", "-odi", "-oem", "-B", "8BITMIME", "-v",
                       "-fbounce@x.org", "-F", "Ann", "-N", "never", "a", "b"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->mode, SendmailMode::kDeliver);
  EXPECT_TRUE(c->inject.recipients_from_header);
  EXPECT_FALSE(c->inject.dot_ends_input);
  EXPECT_EQ(*c->inject.sender, "bounce@x.org");
  EXPECT_EQ(*c->inject.full_name, "Ann");
  EXPECT_EQ(c->inject.recipients, (Args{"a", "b"}));

  Result<SendmailCommand> dots = ParseSendmailArgs("sendmail", Args{"-odb", "joe"});
  ASSERT_TRUE(dots.ok());
  EXPECT_TRUE(dots->inject.dot_ends_input) << "without -i a lone dot ends input";
  Result<SendmailCommand> i = ParseSendmailArgs("sendmail", Args{"-ti", "-r", ""});
  ASSERT_TRUE(i.ok());
  EXPECT_FALSE(i->inject.dot_ends_input);
  EXPECT_EQ(*i->inject.sender, "");
}

TEST(SendmailArgsTest, ModesAndNames) {
  auto mode = [](std::string_view name, Args args) {
    Result<SendmailCommand> c = ParseSendmailArgs(name, args);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? c->mode : SendmailMode::kDeliver;
  };
  EXPECT_EQ(mode("sendmail", {"-bs"}), SendmailMode::kSmtp);
  EXPECT_EQ(mode("sendmail", {"-bp"}), SendmailMode::kListQueue);
  EXPECT_EQ(mode("mailq", {}), SendmailMode::kListQueue);
  EXPECT_EQ(mode("sendmail", {"-bi"}), SendmailMode::kNewAliases);
  EXPECT_EQ(mode("newaliases", {}), SendmailMode::kNewAliases);
  EXPECT_EQ(mode("sendmail", {"-q"}), SendmailMode::kRunQueue);
  EXPECT_EQ(mode("sendmail", {"-q30m"}), SendmailMode::kRunQueue);
  EXPECT_EQ(mode("sendmail", {"-bm", "joe"}), SendmailMode::kDeliver);
  for (const Args& bad : {Args{"-bd"}, Args{"-bv"}, Args{"-X", "log"}, Args{"-f"},
                          Args{"-y"}}) {
    EXPECT_FALSE(ParseSendmailArgs("sendmail", bad).ok()) << bad[0];
  }
}

TEST(SendmailTextTest, NewAliasesExplainsDotQmail) {
  std::string text = NewAliasesText("/var/yubin");
  EXPECT_NE(text.find("/var/yubin/alias/.qmail-NAME"), std::string::npos) << text;
  EXPECT_NE(text.find("yubin-aliases"), std::string::npos) << text;
}

}  // namespace
}  // namespace yubin::inject
