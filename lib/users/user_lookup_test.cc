#include "lib/users/user_lookup.h"

#include <sys/stat.h>

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "lib/deliver/test_message.h"
#include "lib/users/assign.h"

namespace yubin::users {
namespace {

// A fake password database and file system: names -> accounts, directories
// -> owners, so the rules can be tested without real accounts.
class UserLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = deliver::testing::TempDir("root");
    ::mkdir((root_ + "/users").c_str(), 0755);
    accounts_["root"] = {"root", 0, 0, "/root"};
    accounts_["bin"] = {"bin", 2, 2, "/bin"};
    accounts_["kim"] = {"kim", 1001, 1001, "/home/kim"};
    accounts_["kim-list"] = {"kim-list", 1005, 1005, "/home/kimlist"};
    accounts_["nohome"] = {"nohome", 1006, 1006, "/home/nohome"};
    owners_["/root"] = {0, 0};
    owners_["/bin"] = {0, 0};  // root-owned home: not a mailbox
    owners_["/home/kim"] = {1001, 1001};
    owners_["/home/kimlist"] = {1005, 1005};
    owners_[root_ + "/alias"] = {7790, 7791};
  }
  UserLookupConfig Config(bool non_root = false, uid_t running = 0) {
    UserLookupConfig c;
    c.root = root_;
    c.non_root_mode = non_root;
    c.running_uid = running;
    c.passwd = [this](const std::string& n) -> std::optional<PasswdAccount> {
      auto it = accounts_.find(n);
      if (it == accounts_.end()) return std::nullopt;
      return it->second;
    };
    c.owner = [this](const std::string& p) -> std::optional<std::pair<uid_t, gid_t>> {
      auto it = owners_.find(p);
      if (it == owners_.end()) return std::nullopt;
      return it->second;
    };
    return c;
  }
  LocalUser Find(const UserLookup& l, const char* local) {
    Result<LocalUser> r = l.Find(local);
    EXPECT_TRUE(r.ok()) << local << ": " << r.status().message();
    return r.ok() ? *r : LocalUser{};
  }

  std::string root_;
  std::map<std::string, PasswdAccount> accounts_;
  std::map<std::string, std::pair<uid_t, gid_t>> owners_;
};

TEST_F(UserLookupTest, PasswdLongestPrefix) {
  UserLookup l(Config());
  LocalUser u = Find(l, "Kim");
  EXPECT_EQ(u.user, "kim");
  EXPECT_EQ(u.ext, "");
  EXPECT_EQ(u.dash, "");
  u = Find(l, "kim-foo-bar");
  EXPECT_EQ(u.user, "kim");
  EXPECT_EQ(u.uid, 1001u);
  EXPECT_EQ(u.dash, "-");
  EXPECT_EQ(u.ext, "foo-bar");
  u = Find(l, "kim-list-x");
  EXPECT_EQ(u.user, "kim-list") << "the longest prefix naming an account wins";
  EXPECT_EQ(u.ext, "x");
}

TEST_F(UserLookupTest, SystemAccountsGoToAlias) {
  UserLookup l(Config());
  for (const char* local : {"root", "bin", "nohome", "nobody-at-all", "bin-x"}) {
    LocalUser u = Find(l, local);
    EXPECT_EQ(u.source, LocalUser::Source::kAlias) << local;
    EXPECT_EQ(u.user, "alias");
    EXPECT_EQ(u.home, root_ + "/alias");
    EXPECT_EQ(u.uid, 7790u);
    EXPECT_EQ(u.gid, 7791u);
    EXPECT_EQ(u.dash, "-");
    EXPECT_EQ(u.ext, local);
  }
}

TEST_F(UserLookupTest, AssignComesFirst) {
  Result<std::vector<AssignEntry>> e =
      ParseAssign("=kim:other:3000:3001:/srv/other:::\n+help-:help:3002:3002:/srv/help:-::\n.\n");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(WriteAssignCdb(*e, root_ + "/users/assign.cdb").ok());
  UserLookup l(Config());
  LocalUser u = Find(l, "kim");
  EXPECT_EQ(u.user, "other");
  EXPECT_EQ(u.source, LocalUser::Source::kAssign);
  u = Find(l, "help-desk");
  EXPECT_EQ(u.user, "help");
  EXPECT_EQ(u.ext, "desk");
  u = Find(l, "kim-x");
  EXPECT_EQ(u.user, "kim") << "no assign entry: password database";
}

TEST_F(UserLookupTest, NonRootModeOnlyOwnHomes) {
  UserLookup l(Config(/*non_root=*/true, /*running=*/1001));
  EXPECT_EQ(Find(l, "kim").user, "kim");
  Result<LocalUser> r = l.Find("kim-list");
  // kim-list's home is someone else's: fall back to kim with ext "list".
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->user, "kim");
  EXPECT_EQ(r->ext, "list");
  r = l.Find("root");
  ASSERT_FALSE(r.ok()) << "alias directory belongs to another uid";
  EXPECT_TRUE(r.status().temporary());
  owners_[root_ + "/alias"] = {1001, 1001};
  EXPECT_EQ(Find(l, "root").user, "alias");
}

TEST_F(UserLookupTest, AliasDirectoryProblemsAreTemporary) {
  owners_.erase(root_ + "/alias");
  UserLookup l(Config());
  EXPECT_TRUE(l.Find("root").status().temporary());
  owners_[root_ + "/alias"] = {0, 0};
  EXPECT_TRUE(l.Find("root").status().temporary());
}

TEST_F(UserLookupTest, HasMailbox) {
  std::string alias = root_ + "/alias";
  ASSERT_EQ(::mkdir(alias.c_str(), 0700), 0);
  std::string kimhome = deliver::testing::TempDir("kim");
  accounts_["kim"].home = kimhome;
  owners_[kimhome] = {1001, 1001};
  UserLookup l(Config());
  auto has = [&](const char* local) {
    Result<bool> r = HasMailbox(l, local);
    EXPECT_TRUE(r.ok()) << local << ": " << r.status().message();
    return r.ok() && *r;
  };
  EXPECT_TRUE(has("kim"));
  EXPECT_FALSE(has("kim-ext"));
  EXPECT_FALSE(has("root"));
  FILE* f = std::fopen((alias + "/.qmail-root").c_str(), "w");
  std::fclose(f);
  EXPECT_TRUE(has("root"));
  EXPECT_FALSE(has("bin"));
  f = std::fopen((alias + "/.qmail-default").c_str(), "w");
  std::fclose(f);
  EXPECT_TRUE(has("bin"));
  f = std::fopen((kimhome + "/.qmail-ext").c_str(), "w");
  std::fclose(f);
  EXPECT_TRUE(has("kim-ext"));
}

}  // namespace
}  // namespace yubin::users
