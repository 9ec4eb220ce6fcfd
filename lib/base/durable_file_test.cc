#include "lib/base/durable_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "lib/base/fd.h"

namespace yubin {
namespace {

std::string TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/durable.XXXXXX";
  EXPECT_NE(mkdtemp(templ.data()), nullptr);
  return templ;
}

std::string Slurp(const std::string& path) {
  Result<std::string> r = ReadSmallFile(path.c_str(), 1 << 20);
  return r.ok() ? *r : "<" + r.status().message() + ">";
}

int CountEntries(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  int n = 0;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

TEST(DurableFileTest, WritesWithExactModeAndNoLeftovers) {
  std::string dir = TempDir();
  std::string path = dir + "/me";
  ASSERT_TRUE(WriteFileDurably(path, "mail.example.com\n", 0640).ok());
  EXPECT_EQ(Slurp(path), "mail.example.com\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(CountEntries(dir), 1);
}

TEST(DurableFileTest, ReplacesExistingFile) {
  std::string dir = TempDir();
  std::string path = dir + "/f";
  ASSERT_TRUE(WriteFileDurably(path, "old", 0644).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "new", 0600).ok());
  EXPECT_EQ(Slurp(path), "new");
  EXPECT_EQ(CountEntries(dir), 1);
}

TEST(DurableFileTest, FailureLeavesOldFileAndNoTemp) {
  std::string dir = TempDir();
  std::string path = dir + "/f";
  ASSERT_TRUE(WriteFileDurably(path, "old", 0644).ok());
  // A directory in the way of the rename makes the commit fail.
  std::string blocked = dir + "/sub";
  ASSERT_EQ(mkdir(blocked.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((blocked + "/x").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((blocked + "/x/y").c_str(), 0755), 0);
  Status s = WriteFileDurably(blocked + "/x", "new", 0644);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.temporary());
  EXPECT_EQ(CountEntries(blocked), 1);  // only x: the temporary is gone
  EXPECT_EQ(Slurp(path), "old");
}

TEST(DurableFileTest, MissingDirectoryIsTemporaryError) {
  std::string dir = TempDir();
  Status s = WriteFileDurably(dir + "/none/f", "x", 0644);
  EXPECT_TRUE(s.temporary());
  EXPECT_EQ(s.error_number(), ENOENT);
}

TEST(DurableFileTest, CommitByLinkRefusesToOverwrite) {
  std::string dir = TempDir();
  std::string tmp = dir + "/tmp1";
  std::string final_path = dir + "/final";
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  ASSERT_TRUE(fd.valid());
  ASSERT_TRUE(WriteAll(fd.get(), "message").ok());
  ASSERT_TRUE(CommitFile(fd.get(), tmp, final_path, CommitMode::kLink).ok());
  EXPECT_EQ(Slurp(final_path), "message");
  EXPECT_NE(access(tmp.c_str(), F_OK), 0);  // tmp name removed

  std::string tmp2 = dir + "/tmp2";
  UniqueFd fd2(open(tmp2.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  ASSERT_TRUE(WriteAll(fd2.get(), "other").ok());
  Status s = CommitFile(fd2.get(), tmp2, final_path, CommitMode::kLink);
  EXPECT_EQ(s.error_number(), EEXIST);
  EXPECT_EQ(Slurp(final_path), "message");
}

TEST(DurableFileTest, DirectoryOf) {
  EXPECT_EQ(DirectoryOf("a/b/c"), "a/b");
  EXPECT_EQ(DirectoryOf("c"), ".");
  EXPECT_EQ(DirectoryOf("/c"), "/");
}

TEST(DurableFileTest, FsyncDirectoryOfFileFails) {
  std::string dir = TempDir();
  ASSERT_TRUE(WriteFileDurably(dir + "/f", "x", 0644).ok());
  EXPECT_FALSE(FsyncDirectory(dir + "/f").ok());
  EXPECT_TRUE(FsyncDirectory(dir).ok());
}

}  // namespace
}  // namespace yubin
