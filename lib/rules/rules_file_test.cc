#include "lib/rules/rules_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "lib/rules/rules_cdb.h"
#include "lib/rules/rules_parser.h"

namespace yubin::rules {
namespace {

class RulesFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/rulesfileXXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    cdb_ = dir_ + "/tcp.cdb";
  }

  // Compiles text into path as tcprules does (a new file renamed into place).
  void Compile(const std::string& text, const std::string& path) {
    Result<std::vector<RuleRecord>> records = ParseRules(text);
    ASSERT_TRUE(records.ok()) << records.status().message();
    Status s = WriteRulesCdb(*records, path, path + ".tmp");
    ASSERT_TRUE(s.ok()) << s.message();
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // The value of the first variable of the rule 127.0.0.1 gets, or what
  // went wrong.
  std::string Lookup(RulesFile& rules) {
    Result<RuleMatch> m = rules.Lookup({.ip = "127.0.0.1", .host = {}, .info = {}});
    if (!m.ok()) return "error " + std::to_string(m.status().error_number());
    if (!m->found || m->decision.env.empty()) return "none";
    return m->decision.env[0].second;
  }

  std::string dir_;
  std::string cdb_;
};

TEST_F(RulesFileTest, ACdbRenamedIntoPlaceIsUsedFromTheNextLookup) {
  Compile("127.:allow,R=\"first\"\n", cdb_);
  RulesFile rules(cdb_);
  EXPECT_EQ(Lookup(rules), "first");
  EXPECT_EQ(Lookup(rules), "first");
  Compile("127.:allow,R=\"second\"\n", cdb_);
  EXPECT_EQ(Lookup(rules), "second");
}

TEST_F(RulesFileTest, ACdbRewrittenInPlaceIsReadAgain) {
  Compile("127.:allow,R=\"first\"\n", cdb_);
  Compile("127.:allow,R=\"rewritten\"\n", dir_ + "/other.cdb");
  RulesFile rules(cdb_);
  EXPECT_EQ(Lookup(rules), "first");
  // Same inode, new bytes: what an editor or cp(1) over the file does.
  const std::string bytes = Slurp(dir_ + "/other.cdb");
  const ino_t before = [&] { struct stat st; stat(cdb_.c_str(), &st); return st.st_ino; }();
  int fd = open(cdb_.c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(fd);
  struct stat st;
  ASSERT_EQ(stat(cdb_.c_str(), &st), 0);
  ASSERT_EQ(st.st_ino, before);
  EXPECT_EQ(Lookup(rules), "rewritten");
}

TEST_F(RulesFileTest, AMissingFileIsEnoentEvenAfterItWasMapped) {
  RulesFile rules(cdb_);
  EXPECT_EQ(Lookup(rules), "error " + std::to_string(ENOENT));
  Compile("127.:allow,R=\"there\"\n", cdb_);
  EXPECT_EQ(Lookup(rules), "there");
  ASSERT_EQ(unlink(cdb_.c_str()), 0);
  EXPECT_EQ(Lookup(rules), "error " + std::to_string(ENOENT));
  Compile("127.:allow,R=\"back\"\n", cdb_);
  EXPECT_EQ(Lookup(rules), "back");
}

TEST_F(RulesFileTest, ADamagedFileIsAnErrorUntilReplaced) {
  {
    std::ofstream out(cdb_);
    out << "not a cdb";
  }
  RulesFile rules(cdb_);
  EXPECT_NE(Lookup(rules).rfind("error ", 0), std::string::npos);
  Compile("127.:allow,R=\"fixed\"\n", cdb_);
  EXPECT_EQ(Lookup(rules), "fixed");
}

}  // namespace
}  // namespace yubin::rules
