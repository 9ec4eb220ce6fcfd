#include "lib/qtools/state_records.h"

#include <string>

#include <gtest/gtest.h>

namespace yubin::qtools {
namespace {

using namespace std::string_literals;

TEST(InfoFile, SenderAndBirthInEitherOrder) {
  for (std::string text : {"t1700000000\0Falice@example.com\0"s,
                           "Falice@example.com\0t1700000000\0"s}) {
    Result<InfoRecords> info = ParseInfoFile(text);
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(info->sender, "alice@example.com");
    ASSERT_TRUE(info->birth.has_value());
    EXPECT_EQ(*info->birth, 1700000000);
  }
}

TEST(InfoFile, SenderOnlyAndInjectorRecords) {
  Result<InfoRecords> info = ParseInfoFile("u1000\0p42\0F\0"s);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->sender, "");
  EXPECT_FALSE(info->birth.has_value());
}

TEST(InfoFile, RefusesWhatIsNotTheFormat) {
  for (std::string text :
       {""s, "t1\0"s, "Fa\0Fb\0"s, "Fa"s, "Fa\0t1\0t2\0"s, "Fa\0tx\0"s,
        "Fa\0X\0"s, "Fa\0\0"s, "Fa\0u1\0u1\0"s,
        "F"s + std::string(1003, 'a') + "\0"s}) {
    EXPECT_FALSE(ParseInfoFile(text).ok()) << "accepted: " << text;
  }
}

TEST(RecipientRecords, StatesAndAddresses) {
  Result<std::vector<RecipientRecord>> r =
      ParseRecipientRecords(
          "Tbob@example.org\0bob@example.org\0Dcarol@example.com\0ml-carol@example.com\0"s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_FALSE((*r)[0].done);
  EXPECT_EQ((*r)[0].address, "bob@example.org");
  EXPECT_TRUE((*r)[1].done);
  EXPECT_EQ((*r)[1].address, "carol@example.com");
  EXPECT_EQ((*r)[1].delivery, "ml-carol@example.com");
  EXPECT_EQ(FormatRecipientRecords(*r),
            "Tbob@example.org\0bob@example.org\0Dcarol@example.com\0ml-carol@example.com\0"s);
}

TEST(RecipientRecords, EmptyFileHasNoRecipients) {
  Result<std::vector<RecipientRecord>> r = ParseRecipientRecords("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(RecipientRecords, RefusesWhatIsNotTheFormat) {
  for (std::string text : {"Tbob"s, "Xbob\0b\0"s, "\0"s, "Ta\0a\0D"s, "Tbob\0"s,
                           "T"s + std::string(1003, 'a') + "\0a\0"s}) {
    Result<std::vector<RecipientRecord>> r = ParseRecipientRecords(text);
    EXPECT_FALSE(r.ok()) << "accepted: " << text;
  }
  EXPECT_TRUE(ParseRecipientRecords("T"s + std::string(1002, 'a') + "\0a\0"s).ok());
}

}  // namespace
}  // namespace yubin::qtools
