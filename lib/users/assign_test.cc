#include "lib/users/assign.h"

#include <string>

#include "gtest/gtest.h"
#include "lib/deliver/test_message.h"

namespace yubin::users {
namespace {

constexpr char kAssign[] =
    "# comment\n"
    "=kim:kim:1001:1002:/home/kim:::\n"
    "=Postmaster:alias:7790:7791:/var/yubin/alias:-:postmaster:\n"
    "+list-:lists:1003:1003:/srv/lists:-:ml-:\n"
    "+:catch:1004:1004:/srv/catch:-::\n"
    ".\n";

TEST(AssignTest, ParsesBothKinds) {
  Result<std::vector<AssignEntry>> r = ParseAssign(kAssign);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0], (AssignEntry{false, "kim", "kim", 1001, 1002, "/home/kim", "", ""}));
  EXPECT_EQ((*r)[1].local, "postmaster");
  EXPECT_EQ((*r)[2], (AssignEntry{true, "list-", "lists", 1003, 1003, "/srv/lists", "-", "ml-"}));
  EXPECT_TRUE((*r)[3].wildcard);
  EXPECT_EQ((*r)[3].local, "");
}

TEST(AssignTest, RefusesBrokenFiles) {
  for (const char* bad : {
           "=kim:kim:1001:1002:/home/kim:::\n",           // no final '.'
           "=kim:kim:x:1002:/home/kim:::\n.\n",           // uid not a number
           "=kim:kim:1001:1002:/home/kim::\n.\n",         // 6 fields
           "=kim:kim:1001:1002:/home/kim:::extra\n.\n",   // no final ':'
           "kim:kim:1001:1002:/home/kim:::\n.\n",         // no '=' or '+'
           "=kim:kim:1001:1002:home:::\n.\n",             // relative home
           "=kim:kim:1001:1002:/home/kim:::",             // unterminated
       }) {
    Result<std::vector<AssignEntry>> r = ParseAssign(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().permanent());
    }
  }
}

TEST(AssignTest, CdbLookupExactThenLongestWildcard) {
  std::string path = deliver::testing::TempDir("users") + "/assign.cdb";
  Result<std::vector<AssignEntry>> entries = ParseAssign(kAssign);
  ASSERT_TRUE(entries.ok());
  ASSERT_TRUE(WriteAssignCdb(*entries, path).ok());

  auto find = [&](const char* local) {
    Result<std::optional<AssignMatch>> r = LookupAssignCdb(path, local);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::nullopt;
  };
  auto kim = find("KIM");
  ASSERT_TRUE(kim.has_value());
  EXPECT_EQ(kim->user, "kim");
  EXPECT_EQ(kim->uid, 1001u);
  EXPECT_EQ(kim->gid, 1002u);
  EXPECT_EQ(kim->home, "/home/kim");
  EXPECT_EQ(kim->ext, "");
  auto list = find("list-bugs");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->user, "lists");
  EXPECT_EQ(list->dash, "-");
  EXPECT_EQ(list->ext, "ml-bugs");
  auto other = find("someone");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->user, "catch");
  EXPECT_EQ(other->ext, "someone");

  Result<std::optional<AssignMatch>> none =
      LookupAssignCdb(deliver::testing::TempDir("users") + "/missing.cdb", "kim");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace yubin::users
