#include "lib/base/concurrent_fsync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/base/fd.h"

namespace yubin {
namespace {

std::string TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/cfsync.XXXXXX";
  EXPECT_NE(mkdtemp(templ.data()), nullptr);
  return templ;
}

TEST(ConcurrentFsyncTest, SyncsFilesAndDirectories) {
  std::string dir = TempDir();
  std::vector<UniqueFd> fds;
  std::vector<SyncTarget> targets;
  for (int i = 0; i < 3; ++i) {
    std::string path = dir + "/f" + std::to_string(i);
    fds.emplace_back(OpenRetry(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(fds.back().valid()) << path;
    ASSERT_TRUE(WriteAll(fds.back().get(), "data").ok());
    targets.push_back({fds.back().get(), path});
  }
  UniqueFd dir_fd(OpenDirectoryForSync(dir));
  ASSERT_TRUE(dir_fd.valid());
  targets.push_back({dir_fd.get(), dir});
  std::vector<Status> got = FsyncConcurrently(targets);
  ASSERT_EQ(got.size(), targets.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(got[i].ok()) << "target " << i << ": got " << got[i].message()
                             << ", want ok";
  }
}

TEST(ConcurrentFsyncTest, ReportsEachFailureInItsOwnEntry) {
  std::string dir = TempDir();
  UniqueFd dir_fd(OpenDirectoryForSync(dir));
  ASSERT_TRUE(dir_fd.valid());
  // A closed descriptor number: fsync fails with EBADF.
  int closed = ::dup(dir_fd.get());
  ASSERT_GE(closed, 0);
  ::close(closed);
  SyncTarget targets[] = {{dir_fd.get(), dir}, {closed, "closed-one"},
                          {dir_fd.get(), dir}};
  std::vector<Status> got = FsyncConcurrently(targets);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].ok()) << got[0].message();
  EXPECT_FALSE(got[1].ok()) << "got ok for a closed descriptor, want EBADF";
  EXPECT_EQ(got[1].error_number(), EBADF) << got[1].message();
  EXPECT_NE(got[1].message().find("closed-one"), std::string::npos)
      << got[1].message();
  EXPECT_TRUE(got[2].ok()) << got[2].message();
}

TEST(ConcurrentFsyncTest, NoTargetsIsOk) {
  EXPECT_TRUE(FsyncConcurrently({}).empty());
}

TEST(ConcurrentFsyncTest, MissingDirectoryCannotBeOpened) {
  EXPECT_LT(OpenDirectoryForSync(TempDir() + "/absent"), 0);
  EXPECT_EQ(errno, ENOENT);
}

}  // namespace
}  // namespace yubin
