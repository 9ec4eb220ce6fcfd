#include "lib/chain/softlimit_args.h"

#include <gtest/gtest.h>

namespace yubin::chain {
namespace {

using Kind = LimitRequest::Kind;

TEST(ParseSoftlimitArgsTest, EveryFlagMapsToItsResource) {
  const std::pair<const char*, int> cases[] = {
      {"-a", RLIMIT_AS},     {"-d", RLIMIT_DATA},   {"-s", RLIMIT_STACK},
      {"-l", RLIMIT_MEMLOCK}, {"-f", RLIMIT_FSIZE}, {"-c", RLIMIT_CORE},
      {"-o", RLIMIT_NOFILE}, {"-p", RLIMIT_NPROC},  {"-t", RLIMIT_CPU},
      {"-r", RLIMIT_RSS},
  };
  for (const auto& [flag, resource] : cases) {
    size_t child = 0;
    auto r = ParseSoftlimitArgs({flag, "1234", "prog", "arg"}, &child);
    ASSERT_TRUE(r.ok()) << flag << ": " << r.status().message();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].resource, resource) << flag;
    EXPECT_EQ((*r)[0].flag, flag[1]);
    EXPECT_EQ((*r)[0].kind, Kind::kValue);
    EXPECT_EQ((*r)[0].value, 1234u);
    EXPECT_EQ(child, 2u);
  }
}

TEST(ParseSoftlimitArgsTest, AttachedValuesHardAndUnlimited) {
  size_t child = 0;
  auto r = ParseSoftlimitArgs({"-d5000", "-o=", "-c", "unlimited", "--", "-prog"}, &child);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].value, 5000u);
  EXPECT_EQ((*r)[1].kind, Kind::kHard);
  EXPECT_EQ((*r)[1].resource, RLIMIT_NOFILE);
  EXPECT_EQ((*r)[2].kind, Kind::kUnlimited);
  EXPECT_EQ(child, 5u);
}

TEST(ParseSoftlimitArgsTest, MemoryFlagExpandsToFour) {
  size_t child = 0;
  auto r = ParseSoftlimitArgs({"-m", "100000", "prog"}, &child);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].resource, RLIMIT_DATA);
  EXPECT_EQ((*r)[1].resource, RLIMIT_STACK);
  EXPECT_EQ((*r)[2].resource, RLIMIT_MEMLOCK);
  EXPECT_EQ((*r)[3].resource, RLIMIT_AS);
  for (const LimitRequest& l : *r) EXPECT_EQ(l.value, 100000u);
}

TEST(ParseSoftlimitArgsTest, BadValuesNameTheFlag) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"-d", "abc", "prog"}, "-d"},
      {{"-d", "12x", "prog"}, "-d"},
      {{"-o", "-1", "prog"}, "-o"},
      {{"-t", "", "prog"}, "-t"},
      {{"-m", "lots", "prog"}, "-m"},
      {{"-f", "99999999999999999999999", "prog"}, "-f"},
      {{"-z", "1", "prog"}, "-z"},
      {{"-d"}, "-d needs a value"},
      {{"-d", "1"}, "no program"},
      {{}, "no program"},
  };
  for (const auto& [args, want] : cases) {
    size_t child = 0;
    auto r = ParseSoftlimitArgs(args, &child);
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_TRUE(r.status().permanent());
    EXPECT_NE(r.status().message().find(want), std::string::npos)
        << "got '" << r.status().message() << "', want it to name '" << want << "'";
  }
}

TEST(SoftLimitForTest, ClampedToHard) {
  LimitRequest v{.kind = Kind::kValue, .value = 500};
  EXPECT_EQ(SoftLimitFor(v, 1000), 500u);
  EXPECT_EQ(SoftLimitFor(v, 100), 100u);
  EXPECT_EQ(SoftLimitFor(v, RLIM_INFINITY), 500u);
  LimitRequest hard{.kind = Kind::kHard};
  EXPECT_EQ(SoftLimitFor(hard, 777), 777u);
  EXPECT_EQ(SoftLimitFor(hard, RLIM_INFINITY), RLIM_INFINITY);
  LimitRequest unlimited{.kind = Kind::kUnlimited};
  EXPECT_EQ(SoftLimitFor(unlimited, 4096), 4096u);
  EXPECT_EQ(SoftLimitFor(unlimited, RLIM_INFINITY), RLIM_INFINITY);
}

TEST(ApplySoftLimitsTest, SetsTheSoftLimit) {
  struct rlimit before;
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &before), 0);
  rlim_t want = before.rlim_max == RLIM_INFINITY ? 4096 : before.rlim_max / 2;
  ASSERT_TRUE(ApplySoftLimits({{.resource = RLIMIT_CORE, .flag = 'c', .value = want}}).ok());
  struct rlimit after;
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &after), 0);
  EXPECT_EQ(after.rlim_cur, want);
  EXPECT_EQ(after.rlim_max, before.rlim_max);
  ASSERT_EQ(setrlimit(RLIMIT_CORE, &before), 0);
}

}  // namespace
}  // namespace yubin::chain
