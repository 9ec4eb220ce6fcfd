#include "lib/inject/address_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yubin::inject {
namespace {

std::vector<std::string> Addresses(std::string_view body) {
  Result<std::vector<HeaderAddress>> r = ParseAddressList(body);
  EXPECT_TRUE(r.ok()) << body << ": " << r.status().message();
  std::vector<std::string> out;
  if (r.ok()) {
    for (const HeaderAddress& a : *r) out.push_back(a.address);
  }
  return out;
}

using V = std::vector<std::string>;

TEST(AddressListTest, PlainAndNamed) {
  EXPECT_EQ(Addresses(" joe@example.com"), V{"joe@example.com"});
  EXPECT_EQ(Addresses(" Joe Bloggs <joe@example.com>, ann@x.org"),
            (V{"joe@example.com", "ann@x.org"}));
  EXPECT_EQ(Addresses(" joe"), V{"joe"});
}

TEST(AddressListTest, CommentsAndQuotes) {
  EXPECT_EQ(Addresses(" joe@example.com (Joe (the) Bloggs)"), V{"joe@example.com"});
  EXPECT_EQ(Addresses(" \"Bloggs, Joe\" <joe@example.com>"), V{"joe@example.com"});
  EXPECT_EQ(Addresses(" \"joe smith\"@example.com"), V{"joe smith@example.com"});
  EXPECT_EQ(Addresses(" (a, b) joe @ example . com"), V{"joe@example.com"});
  EXPECT_EQ(Addresses(" <joe(c)@example.com>"), V{"joe@example.com"});
}

TEST(AddressListTest, GroupsRoutesAndFolding) {
  EXPECT_EQ(Addresses(" team: ann@x.org, bob;, carl@y.org"),
            (V{"ann@x.org", "bob", "carl@y.org"}));
  EXPECT_EQ(Addresses(" undisclosed-recipients:;"), V{});
  EXPECT_EQ(Addresses(" <@relay.org,@r2.org:joe@example.com>"), V{"joe@example.com"});
  EXPECT_EQ(Addresses(" ann@x.org,\n  bob@y.org\n"), (V{"ann@x.org", "bob@y.org"}));
  EXPECT_EQ(Addresses(" <>"), V{});
  EXPECT_EQ(Addresses(" joe@[192.0.2.1]"), V{"joe@[192.0.2.1]"});
}

TEST(AddressListTest, RefusesBrokenInput) {
  for (const char* bad : {" (unclosed", " \"unclosed", " <joe@x", " joe>",
                          " <a<b>>", " Joe <a> <b>", " joe@[1.2"}) {
    EXPECT_FALSE(ParseAddressList(bad).ok()) << "got ok for " << bad << ", want error";
  }
  std::string deep(kMaxCommentDepth + 1, '(');
  EXPECT_FALSE(ParseAddressList(deep).ok());
  std::string long_address(kMaxAddressBytes + 1, 'a');
  EXPECT_FALSE(ParseAddressList(long_address).ok());
  EXPECT_TRUE(ParseAddressList(std::string(kMaxAddressBytes, 'a')).ok());
}

TEST(AddressListTest, Qualify) {
  EXPECT_EQ(QualifyAddress("joe", "mail.ex.com", "ex.com"), "joe@mail.ex.com");
  EXPECT_EQ(QualifyAddress("joe@box", "mail.ex.com", "ex.com"), "joe@box.ex.com");
  EXPECT_EQ(QualifyAddress("joe@a.b", "mail.ex.com", "ex.com"), "joe@a.b");
  EXPECT_EQ(QualifyAddress("joe@[1.2.3.4]", "h", "d"), "joe@[1.2.3.4]");
  EXPECT_EQ(QualifyAddress("", "h", "d"), "");
}

TEST(AddressListTest, QualifyListKeepsEverythingElse) {
  EXPECT_EQ(QualifyAddressList(" Joe <joe>, ann (Ann), bob@box, c@d.e", "h.d", "d"),
            " Joe <joe@h.d>, ann@h.d (Ann), bob@box.d, c@d.e");
  EXPECT_EQ(QualifyAddressList(" g: \"x y\";\n", "h.d", "d"), " g: \"x y\"@h.d;\n");
  EXPECT_EQ(QualifyAddressList(" (broken", "h.d", "d"), " (broken");
}

}  // namespace
}  // namespace yubin::inject
