#include "lib/queue/enqueue.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/boot_id.h"
#include "lib/base/crc32c.h"
#include "lib/base/fd.h"
#include "lib/queue/cleanup.h"
#include "lib/queue/envelope.h"
#include "lib/queue/layout.h"
#include "lib/queue/spare_files.h"
#include "lib/queue/queue_command.h"
#include "lib/queue/trigger.h"

namespace yubin::queue {
namespace {

using namespace std::string_literals;

class EnqueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        std::string(std::getenv("TEST_TMPDIR")) + "/enqueueXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    queue_ = dir_ + "/queue";
    ASSERT_TRUE(CreateQueueLayout(queue_).ok());
  }

  // An fd reading content from a file.
  UniqueFd Input(const std::string& name, std::string_view content) {
    std::string path = dir_ + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600));
    EXPECT_TRUE(WriteAll(fd.get(), content).ok());
    ::lseek(fd.get(), 0, SEEK_SET);
    return fd;
  }

  EnqueueResult Run(std::string_view message, std::string_view envelope) {
    UniqueFd m = Input("message", message);
    UniqueFd e = Input("envelope", envelope);
    EnqueueRequest r{.queue_dir = queue_,
                     .received_line = "Received: test\n",
                     .uid = 1001,
                     .pid = 77,
                     .birth = 1764300000};
    return Enqueue(m.get(), e.get(), r);
  }

  size_t Count(QueueArea area) {
    size_t n = 0;
    EXPECT_TRUE(ForEachMessage(queue_, area, [&](MessageId) { ++n; }).ok());
    return n;
  }
  size_t CountTmp() {
    size_t n = 0;
    std::string tmp = TmpDir(queue_);
    if (DIR* d = ::opendir(tmp.c_str())) {
      while (struct dirent* e = ::readdir(d)) {
        if (e->d_name[0] != '.') ++n;
      }
      ::closedir(d);
    }
    return n;
  }
  // The one envelope being written in intd/.
  std::string IntdPath() {
    std::string path;
    EXPECT_TRUE(ForEachMessage(queue_, QueueArea::kIntd, [&](MessageId id) {
      path = MessagePath(queue_, QueueArea::kIntd, id);
    }).ok());
    return path;
  }
  void ExpectNothingLeft() {
    EXPECT_EQ(Count(QueueArea::kTodo), 0u);
    EXPECT_EQ(Count(QueueArea::kMess), 0u);
    EXPECT_EQ(Count(QueueArea::kIntd), 0u);
    EXPECT_EQ(CountTmp(), 0u);
  }

  std::string dir_;
  std::string queue_;
};

TEST_F(EnqueueTest, QueuesContentAndEnvelope) {
  EnqueueResult r = Run("Subject: hi\n\nbody\n", "Fa@b\0Tc@d\0Te@f\0\0"s);
  ASSERT_EQ(r.exit_code, 0) << r.error;
  Result<std::string> mess =
      ReadSmallFile(MessagePath(queue_, QueueArea::kMess, r.id).c_str(), 4096);
  ASSERT_TRUE(mess.ok());
  EXPECT_EQ(*mess, "Received: test\nSubject: hi\n\nbody\n");
  std::string todo = MessagePath(queue_, QueueArea::kTodo, r.id);
  Result<std::string> env = ReadSmallFile(todo.c_str(), 4096);
  ASSERT_TRUE(env.ok());
  Result<QueuedEnvelope> parsed = ParseQueuedEnvelope(*env);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->uid, 1001u);
  EXPECT_EQ(parsed->pid, 77);
  EXPECT_EQ(parsed->birth, 1764300000);
  EXPECT_EQ(parsed->sender, "a@b");
  EXPECT_EQ(parsed->recipients, (std::vector<std::string>{"c@d", "e@f"}));
  struct stat st;
  ASSERT_EQ(::stat(todo.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(MessagePath(queue_, QueueArea::kMess, r.id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_ino, r.id) << "the id is the content file's inode";
  EXPECT_EQ(Count(QueueArea::kIntd), 0u);
  EXPECT_EQ(CountTmp(), 0u);
}

// The envelope file ends with the check record that describes it and the
// content (envelope.h): what tells them whole after a crash of the machine.
TEST_F(EnqueueTest, TheEnvelopeEndsWithItsCheckRecord) {
  EnqueueResult r = Run(std::string(100000, 'x') + "\n", "Fa@b\0Tc@d\0\0"s);
  ASSERT_EQ(r.exit_code, 0) << r.error;
  Result<std::string> mess =
      ReadSmallFile(MessagePath(queue_, QueueArea::kMess, r.id).c_str(), 1 << 20);
  Result<std::string> env =
      ReadSmallFile(MessagePath(queue_, QueueArea::kTodo, r.id).c_str(), 4096);
  ASSERT_TRUE(mess.ok() && env.ok());
  Result<QueuedEnvelope> parsed = ParseQueuedEnvelope(*env);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->check.has_value());
  EXPECT_EQ(parsed->check->id, r.id);
  EXPECT_EQ(parsed->check->boot, CurrentBootId());
  EXPECT_EQ(parsed->check->content_bytes, mess->size());
  EXPECT_EQ(parsed->check->content_crc, Crc32c(0, *mess));
  EXPECT_EQ(parsed->check->envelope_crc, Crc32c(0, env->substr(0, parsed->checked_bytes)));
  EXPECT_EQ(env->substr(0, parsed->checked_bytes),
            FormatInjectorRecords(1001, 77, 1764300000) + "Fa@b\0Tc@d\0\0"s);
}

// One sync commits: it comes after the rename into todo/, and there is no
// other.
TEST_F(EnqueueTest, OneSyncAfterTheRename) {
  UniqueFd m = Input("message", "Subject: x\n\nbody\n");
  UniqueFd e = Input("envelope", "Fa@b\0Tc@d\0\0"s);
  EnqueueRequest r{.queue_dir = queue_, .received_line = "Received: test\n",
                   .uid = 1001, .pid = 77, .birth = 1764300000};
  int syncs = 0;
  size_t todo_at_sync = 0;
  r.sync = [&] {
    ++syncs;
    todo_at_sync = Count(QueueArea::kTodo);
    return Status::Ok();
  };
  EnqueueResult res = Enqueue(m.get(), e.get(), r);
  ASSERT_EQ(res.exit_code, kQueueOk) << res.error;
  EXPECT_EQ(syncs, 1);
  EXPECT_EQ(todo_at_sync, 1u);
}

// A failed sync after the rename: the client hears a temporary failure;
// the message stays (it may be delivered: a duplicate, never a loss).
TEST_F(EnqueueTest, AFailedSyncIsReportedAfterTheRename) {
  UniqueFd m = Input("message", "Subject: x\n\nbody\n");
  UniqueFd e = Input("envelope", "Fa@b\0Tc@d\0\0"s);
  EnqueueRequest r{.queue_dir = queue_, .received_line = "Received: test\n",
                   .uid = 1001, .pid = 77, .birth = 1764300000};
  r.sync = [] { return Status::FromErrno("syncfs", EIO); };
  EnqueueResult res = Enqueue(m.get(), e.get(), r);
  EXPECT_EQ(res.exit_code, kQueueWriteError) << res.error;
  EXPECT_NE(res.error.find("not known to be durable"), std::string::npos) << res.error;
  EXPECT_EQ(Count(QueueArea::kTodo), 1u);
}

TEST_F(EnqueueTest, MessageLargerThanTheCopyBuffer) {
  std::string big(300000, 'x');
  EnqueueResult r = Run(big, "Fa\0Tb\0\0"s);
  ASSERT_EQ(r.exit_code, 0) << r.error;
  Result<std::string> mess = ReadSmallFile(
      MessagePath(queue_, QueueArea::kMess, r.id).c_str(), 1 << 20);
  ASSERT_TRUE(mess.ok());
  EXPECT_EQ(*mess, "Received: test\n" + big);
}

TEST_F(EnqueueTest, EnvelopeErrorsLeaveNothing) {
  struct Case {
    std::string envelope;
    int want;
  } cases[] = {
      {"Xa\0\0"s, kQueueBadEnvelope},
      {"Fa\0Qb\0\0"s, kQueueBadEnvelope},
      {"F" + std::string(kMaxAddressLength + 1, 'a') + "\0\0"s,
       kQueueAddressTooLong},
      {"Fa\0T"s + std::string(kMaxAddressLength + 1, 'a') + "\0\0"s,
       kQueueAddressTooLong},
      {"Fa\0Tb\0"s, kQueueReadError},
      {""s, kQueueReadError},
  };
  for (const Case& c : cases) {
    EnqueueResult r = Run("m\n", c.envelope);
    EXPECT_EQ(r.exit_code, c.want) << "envelope of " << c.envelope.size()
                                   << " bytes: " << r.error;
    ExpectNothingLeft();
  }
}

TEST_F(EnqueueTest, NoRecipientsIsQueuedAsQmailDoes) {
  EnqueueResult r = Run("m\n", "Fa\0\0"s);
  EXPECT_EQ(r.exit_code, 0) << r.error;
  EXPECT_EQ(Count(QueueArea::kTodo), 1u);
}

TEST_F(EnqueueTest, MissingQueueIs61) {
  queue_ = dir_ + "/nonexistent";
  EnqueueResult r = Run("m\n", "Fa\0Tb\0\0"s);
  EXPECT_EQ(r.exit_code, kQueueNoQueueDir);
}

TEST_F(EnqueueTest, BrokenBucketIsReportedAndCleaned) {
  ASSERT_EQ(::rename((queue_ + "/todo").c_str(), (queue_ + "/todo.off").c_str()),
            0);
  EnqueueResult r = Run("m\n", "Fa\0Tb\0\0"s);
  EXPECT_EQ(r.exit_code, kQueueTodoTrouble) << r.error;
  ASSERT_EQ(::rename((queue_ + "/todo.off").c_str(), (queue_ + "/todo").c_str()),
            0);
  ExpectNothingLeft();
}

// Right before the commit, a file put over the envelope's name (or an
// envelope cut short) must not be committed.
TEST_F(EnqueueTest, ReplacedEnvelopeIsNotCommitted) {
  UniqueFd m = Input("message", "Subject: x\n\nbody\n");
  UniqueFd e = Input("envelope", "Fa@b\0Tc@d\0\0"s);
  const std::string stranger = dir_ + "/stranger";
  EnqueueRequest r{.queue_dir = queue_, .received_line = "Received: test\n",
                   .uid = 1001, .pid = 77, .birth = 1764300000};
  r.before_commit = [&] {
    UniqueFd fd(::open(stranger.c_str(), O_WRONLY | O_CREAT, 0600));
    EXPECT_EQ(::rename(stranger.c_str(), IntdPath().c_str()), 0);
  };
  EnqueueResult res = Enqueue(m.get(), e.get(), r);
  EXPECT_EQ(res.exit_code, kQueueIntdTrouble) << res.error;
  EXPECT_NE(res.error.find("is no longer the file written"), std::string::npos) << res.error;
  EXPECT_EQ(Count(QueueArea::kTodo), 0u);
}

// A file put over the content's tmp/ name while the message is still being
// read is what the link into mess/ would name: the check after the link
// sees another inode, and nothing is committed.
TEST_F(EnqueueTest, ReplacedContentIsNotCommitted) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd m_read(p[0]), m_write(p[1]);
  UniqueFd e = Input("envelope", "Fa@b\0Tc@d\0\0"s);
  EnqueueRequest r{.queue_dir = queue_, .received_line = "Received: test\n",
                   .uid = 1001, .pid = 77, .birth = 1764300000};
  EnqueueResult res;
  std::thread injection([&] { res = Enqueue(m_read.get(), e.get(), r); });
  ASSERT_TRUE(WriteAll(m_write.get(), "Subject: x\n\n").ok());
  // The content's tmp/ file exists once the injection reads the message.
  std::string tmp;
  for (int i = 0; i < 5000 && tmp.empty(); ++i) {
    if (DIR* d = opendir(TmpDir(queue_).c_str())) {
      while (dirent* ent = readdir(d)) {
        if (ent->d_name[0] != '.') tmp = TmpDir(queue_) + "/" + ent->d_name;
      }
      closedir(d);
    }
    if (tmp.empty()) usleep(1000);
  }
  ASSERT_FALSE(tmp.empty());
  const std::string stranger = dir_ + "/stranger";
  { UniqueFd fd(::open(stranger.c_str(), O_WRONLY | O_CREAT, 0600)); }
  ASSERT_EQ(::rename(stranger.c_str(), tmp.c_str()), 0);
  ASSERT_TRUE(WriteAll(m_write.get(), "body\n").ok());
  m_write.reset();
  injection.join();
  EXPECT_EQ(res.exit_code, kQueueMessTrouble) << res.error;
  EXPECT_NE(res.error.find("is no longer the file written"), std::string::npos) << res.error;
  EXPECT_EQ(Count(QueueArea::kTodo), 0u);
}

TEST_F(EnqueueTest, TruncatedEnvelopeIsNotCommitted) {
  UniqueFd m = Input("message", "Subject: x\n\nbody\n");
  UniqueFd e = Input("envelope", "Fa@b\0Tc@d\0\0"s);
  EnqueueRequest r{.queue_dir = queue_, .received_line = "Received: test\n",
                   .uid = 1001, .pid = 77, .birth = 1764300000};
  r.before_commit = [&] { EXPECT_EQ(::truncate(IntdPath().c_str(), 0), 0); };
  EnqueueResult res = Enqueue(m.get(), e.get(), r);
  EXPECT_EQ(res.exit_code, kQueueIntdTrouble) << res.error;
  EXPECT_NE(res.error.find("were written"), std::string::npos) << res.error;
  EXPECT_EQ(Count(QueueArea::kTodo), 0u);
}

// With a read deadline (the intake service's), a client that stops
// writing gets 52 once it has passed, and nothing is left behind.
TEST_F(EnqueueTest, ReadDeadlineGivesUpWith52) {
  int message[2], envelope[2];
  ASSERT_EQ(::pipe(message), 0);
  ASSERT_EQ(::pipe(envelope), 0);
  UniqueFd m_read(message[0]), m_write(message[1]), e_read(envelope[0]), e_write(envelope[1]);
  ASSERT_TRUE(WriteAll(m_write.get(), "Subject: slow\n").ok());  // and then nothing
  struct timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  EnqueueRequest r{.queue_dir = queue_, .received_line = "Received: test\n",
                   .uid = 1001, .pid = 77, .birth = 1764300000,
                   .read_deadline = now.tv_sec + 1};
  EnqueueResult res = Enqueue(m_read.get(), e_read.get(), r);
  EXPECT_EQ(res.exit_code, kQueueTimeout) << res.error;
  ExpectNothingLeft();
}

TEST_F(EnqueueTest, PokesTheTrigger) {
  UniqueFd t = OpenTriggerForManager(queue_);
  ASSERT_TRUE(t.valid());
  EXPECT_EQ(DrainTrigger(t.get()), 0u);
  EnqueueResult r = Run("m\n", "Fa\0Tb\0\0"s);
  ASSERT_EQ(r.exit_code, 0) << r.error;
  struct pollfd p = {t.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  TriggerReader reader;
  TriggerNews news = reader.Drain(t.get());
  EXPECT_FALSE(news.scan_all);
  EXPECT_EQ(news.ids, std::vector<uint64_t>{r.id}) << "the record names the message";
  // No reader: poking fails quietly instead of blocking.
  t.reset();
  EXPECT_FALSE(PokeTrigger(queue_));
}

TEST_F(EnqueueTest, CleanupRespectsGraceAndKeepsQueuedMail) {
  EnqueueResult kept = Run("keep\n", "Fa\0Tb\0\0"s);
  ASSERT_EQ(kept.exit_code, 0);
  // Leftovers as a crash would leave them: a tmp file, an orphan mess file,
  // an intd with its mess file.
  auto touch = [](const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT, 0600));
    ASSERT_TRUE(fd.valid()) << path;
  };
  touch(TmpDir(queue_) + "/1.2.3");
  touch(MessagePath(queue_, QueueArea::kMess, 11));
  touch(MessagePath(queue_, QueueArea::kMess, 12));
  touch(MessagePath(queue_, QueueArea::kIntd, 12));
  // Being delivered (info/ present): not a leftover.
  touch(MessagePath(queue_, QueueArea::kMess, 13));
  touch(MessagePath(queue_, QueueArea::kInfo, 13));

  time_t now = ::time(nullptr);
  CleanupReport early;
  ASSERT_TRUE(CleanupLeftovers(queue_, 3600, now, &early).ok());
  EXPECT_EQ(early.tmp_removed + early.intd_removed + early.mess_removed, 0u)
      << "inside the grace period nothing goes";

  CleanupReport late;
  ASSERT_TRUE(CleanupLeftovers(queue_, 3600, now + 7200, &late).ok());
  EXPECT_EQ(late.tmp_removed, 1u);
  EXPECT_EQ(late.intd_removed, 1u);
  EXPECT_EQ(late.mess_removed, 2u);
  EXPECT_EQ(Count(QueueArea::kMess), 2u) << "queued and in-delivery stay";
  EXPECT_EQ(::access(MessagePath(queue_, QueueArea::kMess, kept.id).c_str(),
                     F_OK),
            0);
  EXPECT_EQ(::access(MessagePath(queue_, QueueArea::kMess, 13).c_str(), F_OK),
            0);
}

TEST(QueueCommandTest, ReceivedLine) {
  std::string line = FormatReceivedLine(123, 1000, 0);
  EXPECT_EQ(line.rfind("Received: (yubin 123 invoked by uid 1000); ", 0), 0u)
      << line;
  EXPECT_EQ(line.back(), '\n');
}

TEST(QueueCommandTest, CrashStepFromEnvironment) {
  ::unsetenv("YUBIN_QUEUE_CRASH_AT");
  EXPECT_EQ(CrashStepFromEnvironment(), 0);
  for (auto [value, want] : {std::pair{"3", 3}, {"8", 8}, {"0", 0}, {"9", 0},
                             {"x", 0}, {"", 0}, {"99999999999", 0}}) {
    ::setenv("YUBIN_QUEUE_CRASH_AT", value, 1);
    EXPECT_EQ(CrashStepFromEnvironment(), want) << value;
  }
  ::unsetenv("YUBIN_QUEUE_CRASH_AT");
}

TEST(QueueCommandTest, ReportIdFromEnvironment) {
  ::unsetenv("YUBIN_QUEUE_REPORT_ID");
  EXPECT_FALSE(ReportIdFromEnvironment());
  for (auto [value, want] : {std::pair{"1", true}, {"0", false}, {"", false},
                             {"yes", false}, {"11", false}}) {
    ::setenv("YUBIN_QUEUE_REPORT_ID", value, 1);
    EXPECT_EQ(ReportIdFromEnvironment(), want) << value;
  }
  ::unsetenv("YUBIN_QUEUE_REPORT_ID");
  EXPECT_EQ(QueuedLine(1234567), "queued 1234567\n");
}

// With spare files waiting (spare_files.h), an injection takes both of its
// files from them: the message id is a spare's inode number, and nothing
// of the spares' old content is left.
TEST_F(EnqueueTest, TakesItsFilesFromTheSpares) {
  std::string spare = SpareDir(queue_);
  ASSERT_EQ(::mkdir(spare.c_str(), 0700), 0);
  std::vector<ino_t> inodes;
  for (const char* name : {"7", "8"}) {
    std::string path = spare + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT, 0600));
    ASSERT_TRUE(WriteAll(fd.get(), std::string(5000, 'o')).ok());
    struct stat st;
    ASSERT_EQ(::fstat(fd.get(), &st), 0);
    inodes.push_back(st.st_ino);
  }
  EnqueueResult r = Run("Subject: s\n\nbody\n", "Fa@b\0Tc@d\0\0"s);
  ASSERT_EQ(r.exit_code, kQueueOk) << r.error;
  EXPECT_TRUE(r.id == inodes[0] || r.id == inodes[1]) << r.id;
  EXPECT_EQ(::rmdir(spare.c_str()), 0) << "both spares were taken";
  Result<std::string> env =
      ReadSmallFile(MessagePath(queue_, QueueArea::kTodo, r.id).c_str(), 8192);
  ASSERT_TRUE(env.ok());
  Result<QueuedEnvelope> parsed = ParseQueuedEnvelope(*env);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->recipients, std::vector<std::string>{"c@d"});
  Result<std::string> mess =
      ReadSmallFile(MessagePath(queue_, QueueArea::kMess, r.id).c_str(), 8192);
  ASSERT_TRUE(mess.ok());
  EXPECT_EQ(*mess, "Received: test\nSubject: s\n\nbody\n");
  EXPECT_EQ(CountTmp(), 0u);
}

}  // namespace
}  // namespace yubin::queue
