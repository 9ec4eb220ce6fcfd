#include "lib/qtools/control_report.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace yubin::qtools {
namespace {

const char* NoEnv(const char*) { return nullptr; }
const char* DatabytesEnv(const char* name) {
  return std::strcmp(name, "DATABYTES") == 0 ? "5000" : nullptr;
}

class ControlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TEST_TMPDIR");
    char tmpl[4096];
    std::snprintf(tmpl, sizeof tmpl, "%s/cr.XXXXXX", base ? base : "/tmp");
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << text;
  }
  const SettingReport& Find(const ControlReport& r, std::string_view name) {
    for (const SettingReport& s : r.settings) {
      if (s.setting->name == name) return s;
    }
    ADD_FAILURE() << "no setting " << name;
    return r.settings.front();
  }
  std::string dir_;
};

TEST_F(ControlReportTest, EmptyDirectoryShowsEveryDefault) {
  ControlReport r = ReportControl(dir_, NoEnv, "box");
  EXPECT_FALSE(r.HasProblems());
  EXPECT_EQ(r.settings.size(), ControlCatalogue().size());
  for (const SettingReport& s : r.settings) {
    EXPECT_TRUE(s.is_default) << s.setting->name;
    EXPECT_EQ(s.source, "default") << s.setting->name;
  }
  EXPECT_EQ(Find(r, "me").value, std::vector<std::string>{"box"});
  EXPECT_EQ(Find(r, "locals").value, std::vector<std::string>{"box"});
  EXPECT_EQ(Find(r, "databytes").value, std::vector<std::string>{"26214400"});
  EXPECT_EQ(Find(r, "concurrencyremote").value, std::vector<std::string>{"20"});
  EXPECT_EQ(Find(r, "queuelifetime").value, std::vector<std::string>{"604800"});
  EXPECT_EQ(Find(r, "doublebounceto").value, std::vector<std::string>{"postmaster"});
  EXPECT_TRUE(Find(r, "rcpthosts").value.empty());
  EXPECT_NE(Find(r, "rcpthosts").default_value.find("no relaying"), std::string::npos);
}

TEST_F(ControlReportTest, FilesOverrideAndMeFeedsItsDependents) {
  Write("me", "  mail.example.com \n# comment\n");
  Write("rcpthosts", "example.com\n\n.example.com\n");
  Write("timeoutsmtpd", "300\n");
  Write("defaultdelivery", "./Mailbox\n|/usr/bin/notify\n");
  Write("tcp.smtp", "127.:allow\n");
  ControlReport r = ReportControl(dir_, NoEnv, "box");
  EXPECT_FALSE(r.HasProblems());
  const SettingReport& me = Find(r, "me");
  EXPECT_FALSE(me.is_default);
  EXPECT_EQ(me.source, dir_ + "/me");
  EXPECT_EQ(me.value, std::vector<std::string>{"mail.example.com"});
  EXPECT_EQ(Find(r, "helohost").value, std::vector<std::string>{"mail.example.com"});
  EXPECT_EQ(Find(r, "smtpgreeting").default_value, "mail.example.com (me)");
  EXPECT_EQ(Find(r, "rcpthosts").value,
            (std::vector<std::string>{"example.com", ".example.com"}));
  EXPECT_EQ(Find(r, "timeoutsmtpd").value, std::vector<std::string>{"300"});
  EXPECT_EQ(Find(r, "defaultdelivery").value,
            (std::vector<std::string>{"./Mailbox", "|/usr/bin/notify"}));
  EXPECT_EQ(r.other_files, std::vector<std::string>{"tcp.smtp"});
}

TEST_F(ControlReportTest, EnvironmentOverridesTheFile) {
  Write("databytes", "1000\n");
  ControlReport r = ReportControl(dir_, DatabytesEnv, "box");
  const SettingReport& d = Find(r, "databytes");
  EXPECT_EQ(d.source, "environment DATABYTES");
  EXPECT_EQ(d.value, std::vector<std::string>{"5000"});
}

TEST_F(ControlReportTest, MalformedAndUnreadableFilesAreProblems) {
  Write("maxrcpt", "lots\n");
  Write("badmailfrom", std::string("a\0b\n", 4));
  ASSERT_EQ(::mkdir((dir_ + "/locals").c_str(), 0700), 0);  // read fails: EISDIR
  ControlReport r = ReportControl(dir_, NoEnv, "box");
  EXPECT_TRUE(r.HasProblems());
  EXPECT_NE(Find(r, "maxrcpt").problem.find("not a number"), std::string::npos)
      << Find(r, "maxrcpt").problem;
  EXPECT_NE(Find(r, "badmailfrom").problem.find("NUL"), std::string::npos)
      << Find(r, "badmailfrom").problem;
  EXPECT_FALSE(Find(r, "locals").problem.empty());
  std::string text = FormatControlText(r);
  EXPECT_NE(text.find("maxrcpt: (unusable) lots\n"), std::string::npos) << text;
}

TEST_F(ControlReportTest, TextShape) {
  Write("rcpthosts", "example.com\n");
  ControlReport r = ReportControl(dir_, NoEnv, "box");
  std::string text = FormatControlText(r);
  EXPECT_NE(text.find("\nme: (default) box\n"
                      "  source: default\n"
                      "  default: box (the host name)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nrcpthosts:\n    example.com\n  source: " + dir_ +
                      "/rcpthosts\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nsmtproutes: (default) none: MX records decide every route\n"),
            std::string::npos)
      << text;
}

TEST_F(ControlReportTest, JsonShape) {
  Write("locals", "a\nb\n");
  ControlReport r = ReportControl(dir_, NoEnv, "box");
  std::string json = FormatControlJson(r);
  EXPECT_NE(json.find("{\"name\": \"locals\", \"value\": [\"a\", \"b\"], "
                      "\"is_default\": false, \"source\": \"" + dir_ + "/locals\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"name\": \"outgoingip\", \"value\": null, "
                      "\"is_default\": true"),
            std::string::npos)
      << json;
}

TEST(JsonString, Escapes) {
  EXPECT_EQ(JsonString(std::string("a\"b\\c\n\x01", 7)), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace yubin::qtools
