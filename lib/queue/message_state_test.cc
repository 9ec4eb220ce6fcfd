#include "lib/queue/message_state.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "lib/base/crc32c.h"
#include "lib/base/durable_file.h"
#include "lib/queue/envelope.h"
#include "lib/queue/spare_files.h"
#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using yubin::testing::FileExists;
using yubin::testing::MakeTempDir;
using yubin::testing::ReadFileOrEmpty;
using yubin::testing::WriteFileOrDie;

class MessageStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    q_ = MakeTempDir("q");
    ASSERT_TRUE(CreateQueueLayout(q_).ok());
    WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kId), "Subject: x\n\nhello\n", 0600);
    WriteTodo();
  }
  void WriteTodo() {
    std::string env = FormatInjectorRecords(0, 1, 12345);
    using namespace std::string_literals;
    env += "Fsender@x.org\0Tkim@example.com\0Tfar@remote.net\0Tlee@example.com\0\0"s;
    WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, kId), env, 0600);
  }
  ::testing::AssertionResult Preprocess() {
    Status s = PreprocessMessage(q_, kId, rules_);
    if (s.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << s.message();
  }
  // The files of the message as preprocessing writes them: todo/ gone,
  // info/ and local/ (kim, lee) in place; returns local/'s records.
  std::vector<RecipientRecord> ExpectPreprocessedFiles() {
    EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kTodo, kId)));
    auto info = ReadMessageInfo(q_, kId);
    EXPECT_TRUE(info.ok()) << info.status().message();
    if (info.ok()) {
      EXPECT_EQ(info->birth, 12345);
      EXPECT_EQ(info->sender, "sender@x.org");
    }
    auto local = ReadRecipients(q_, QueueArea::kLocal, kId);
    EXPECT_TRUE(local.ok());
    if (!local.ok() || local->size() != 2) {
      ADD_FAILURE() << "local/ does not hold two recipients";
      return {};
    }
    EXPECT_EQ((*local)[0].recipient, "kim@example.com");
    EXPECT_EQ((*local)[1].recipient, "lee@example.com");
    return *local;
  }
  static constexpr MessageId kId = 205;
  std::string q_;
  RecipientRules rules_ = MakeRecipientRules({"example.com"}, {});
};

// A todo/ file with a check record (envelope.h), as yubin-queue writes it
// for the content in mess/; with change_content, the content is changed
// afterwards, as a crash can leave it.
class TornMessageTest : public MessageStateTest {
 protected:
  void WriteChecked(const std::string& boot, MessageId id_in_record = kId) {
    using namespace std::string_literals;
    const std::string content = "Subject: x\n\nhello\n";
    std::string env = FormatInjectorRecords(0, 1, 12345) + "Fsender@x.org\0Tkim@example.com\0\0"s;
    const uint32_t envelope_crc = Crc32c(0, env);
    env += FormatMessageCheck({.id = id_in_record,
                               .boot = boot,
                               .content_bytes = content.size(),
                               .content_crc = Crc32c(0, content),
                               .envelope_crc = envelope_crc});
    WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, kId), env, 0600);
  }
  bool Gone() {
    return !FileExists(MessagePath(q_, QueueArea::kTodo, kId)) &&
           !FileExists(MessagePath(q_, QueueArea::kMess, kId));
  }
  static constexpr char kEarlierBoot[] = "0f3c5e1a-9b2d-4c7e-8a61-3d2f9e4b7c10";
  static constexpr char kThisBoot[] = "11111111-2222-4333-8444-555555555555";
};

TEST_F(TornMessageTest, AWholeMessageFromAnEarlierBootIsRead) {
  WriteChecked(kEarlierBoot);
  Result<PreprocessedMessage> todo = ReadTodo(q_, kId, rules_, kThisBoot);
  ASSERT_TRUE(todo.ok()) << todo.status().message();
  EXPECT_EQ(todo->local.size(), 1u);
}

TEST_F(TornMessageTest, TornContentFromAnEarlierBootIsRemoved) {
  WriteChecked(kEarlierBoot);
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kId), "Subject: x\n\nhellO\n", 0600);
  Result<PreprocessedMessage> todo = ReadTodo(q_, kId, rules_, kThisBoot);
  ASSERT_FALSE(todo.ok());
  EXPECT_NE(todo.status().message().find("torn by a crash"), std::string::npos)
      << todo.status().message();
  EXPECT_TRUE(Gone());
}

TEST_F(TornMessageTest, ShortOrMissingContentFromAnEarlierBootIsRemoved) {
  WriteChecked(kEarlierBoot);
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kId), "Subject: x\n", 0600);
  EXPECT_FALSE(ReadTodo(q_, kId, rules_, kThisBoot).ok());
  EXPECT_TRUE(Gone());
  WriteChecked(kEarlierBoot);
  EXPECT_FALSE(ReadTodo(q_, kId, rules_, kThisBoot).ok());
  EXPECT_TRUE(Gone());
}

TEST_F(TornMessageTest, ATornEnvelopeOrAnotherMessagesRecordIsRemoved) {
  WriteChecked(kEarlierBoot);
  std::string env = ReadFileOrEmpty(MessagePath(q_, QueueArea::kTodo, kId));
  env[env.find("kim")] = 'j';  // same length, same format
  WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, kId), env, 0600);
  EXPECT_FALSE(ReadTodo(q_, kId, rules_, kThisBoot).ok());
  EXPECT_TRUE(Gone());

  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kId), "Subject: x\n\nhello\n", 0600);
  WriteChecked(kEarlierBoot, kId + 1);  // an old envelope left in a recycled file
  EXPECT_FALSE(ReadTodo(q_, kId, rules_, kThisBoot).ok());
  EXPECT_TRUE(Gone());
}

// Content that cannot be read is not proof of a tear: the message stays.
TEST_F(TornMessageTest, UnreadableContentLeavesTheMessage) {
  WriteChecked(kEarlierBoot);
  const std::string mess = MessagePath(q_, QueueArea::kMess, kId);
  ASSERT_EQ(::unlink(mess.c_str()), 0);
  ASSERT_EQ(::mkdir(mess.c_str(), 0700), 0);  // read(2) fails: EISDIR
  Result<PreprocessedMessage> todo = ReadTodo(q_, kId, rules_, kThisBoot);
  ASSERT_FALSE(todo.ok());
  EXPECT_TRUE(todo.status().temporary()) << todo.status().message();
  EXPECT_TRUE(FileExists(MessagePath(q_, QueueArea::kTodo, kId)));
  ASSERT_EQ(::rmdir(mess.c_str()), 0);
}

// Written in this boot, the page cache holds what was written: no check.
// An unknown boot (no boot_id) checks everything.
TEST_F(TornMessageTest, OnlyMessagesFromAnotherBootAreChecked) {
  WriteChecked(kThisBoot);
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kId), "other\n", 0600);
  EXPECT_TRUE(ReadTodo(q_, kId, rules_, kThisBoot).ok());
  EXPECT_FALSE(ReadTodo(q_, kId, rules_, "").ok());
  EXPECT_TRUE(Gone());
}

TEST_F(TornMessageTest, FilesWithoutACheckRecordAreReadAsBefore) {
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kId), "other\n", 0600);
  EXPECT_TRUE(ReadTodo(q_, kId, rules_, kThisBoot).ok());
}

TEST_F(MessageStateTest, PreprocessSplitsAndRemovesTodo) {
  ASSERT_TRUE(Preprocess());
  std::vector<RecipientRecord> local = ExpectPreprocessedFiles();
  ASSERT_EQ(local.size(), 2u);
  EXPECT_EQ(local[0].delivery, "kim@example.com");
  auto remote = ReadRecipients(q_, QueueArea::kRemote, kId);
  ASSERT_TRUE(remote.ok());
  ASSERT_EQ(remote->size(), 1u);
  EXPECT_EQ((*remote)[0].recipient, "far@remote.net");
  EXPECT_FALSE((*remote)[0].done);
}

// A todo/ file next to a bounce/ file is what a crash leaves when the
// todo/ removal was not durable yet: a scan of all of todo/ drops the
// failures recorded meanwhile (their recipients are tried again with the
// rest); the trigger's path, which only sees new messages, does not look.
TEST_F(MessageStateTest, ReadTodoWritesNothingAndWriteMessageStateRecordsWhatHappened) {
  Result<PreprocessedMessage> todo = ReadTodo(q_, kId, rules_);
  ASSERT_TRUE(todo.ok()) << todo.status().message();
  EXPECT_TRUE(FileExists(MessagePath(q_, QueueArea::kTodo, kId)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kInfo, kId)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kLocal, kId)));
  EXPECT_EQ(todo->info.sender, "sender@x.org");
  ASSERT_EQ(todo->local.size(), 2u);
  ASSERT_EQ(todo->remote.size(), 1u);
  // lee was delivered meanwhile; the state written says so.
  todo->local[1].done = true;
  todo->local[1].offset = 0;
  ASSERT_TRUE(WriteMessageState(q_, kId, &*todo).ok());
  std::vector<RecipientRecord> local = ExpectPreprocessedFiles();
  ASSERT_EQ(local.size(), 2u);
  EXPECT_FALSE(local[0].done);
  EXPECT_TRUE(local[1].done);
  // The offsets handed back are those of the file.
  EXPECT_EQ(todo->local[1].offset, local[1].offset);
  ASSERT_TRUE(MarkRecipientDone(q_, QueueArea::kLocal, kId, todo->local[0].offset).ok());
  auto reread = ReadRecipients(q_, QueueArea::kLocal, kId);
  ASSERT_TRUE(reread.ok());
  EXPECT_TRUE((*reread)[0].done);
  auto remote = ReadRecipients(q_, QueueArea::kRemote, kId);
  ASSERT_TRUE(remote.ok());
  ASSERT_EQ(remote->size(), 1u);
  EXPECT_EQ((*remote)[0].recipient, "far@remote.net");
}

TEST_F(MessageStateTest, AScanDropsTheFailuresOfAMessagePreprocessedAgain) {
  const std::string bounce = MessagePath(q_, QueueArea::kBounce, kId);
  ASSERT_TRUE(AppendBounceRecord(q_, kId, "kim@example.com", "no such user").ok());
  std::vector<Status> kept = PreprocessMessages(q_, {kId}, rules_, nullptr, false);
  ASSERT_TRUE(kept[0].ok()) << kept[0].message();
  EXPECT_TRUE(FileExists(bounce));
  WriteTodo();  // as a crash would have left it
  std::vector<Status> dropped = PreprocessMessages(q_, {kId}, rules_, nullptr, true);
  ASSERT_TRUE(dropped[0].ok()) << dropped[0].message();
  EXPECT_FALSE(FileExists(bounce));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kTodo, kId)));
  auto local = ReadRecipients(q_, QueueArea::kLocal, kId);
  ASSERT_TRUE(local.ok());
  ASSERT_EQ(local->size(), 2u);
  EXPECT_FALSE((*local)[0].done) << "kim is to be tried again";
}

// What PreprocessMessages hands back is exactly what reading the files
// back gives, so yubin-send need not read them.
TEST_F(MessageStateTest, PreprocessHandsBackWhatItWrote) {
  std::vector<PreprocessedMessage> parsed;
  std::vector<Status> done = PreprocessMessages(q_, {kId, 999}, rules_, nullptr, false, &parsed);
  ASSERT_EQ(parsed.size(), 2u);
  ASSERT_TRUE(done[0].ok()) << done[0].message();
  EXPECT_FALSE(done[1].ok()) << "no todo/ file for 999";
  auto info = ReadMessageInfo(q_, kId);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(parsed[0].info.birth, info->birth);
  EXPECT_EQ(parsed[0].info.sender, info->sender);
  for (auto [area, got] : {std::pair{QueueArea::kLocal, &parsed[0].local},
                           std::pair{QueueArea::kRemote, &parsed[0].remote}}) {
    auto read = ReadRecipients(q_, area, kId);
    ASSERT_TRUE(read.ok());
    ASSERT_EQ(got->size(), read->size());
    for (size_t i = 0; i < read->size(); ++i) {
      EXPECT_EQ((*got)[i].offset, (*read)[i].offset);
      EXPECT_EQ((*got)[i].done, (*read)[i].done);
      EXPECT_EQ((*got)[i].recipient, (*read)[i].recipient);
      EXPECT_EQ((*got)[i].delivery, (*read)[i].delivery);
    }
  }
  EXPECT_EQ(parsed[0].local.size(), 2u);
  EXPECT_EQ(parsed[0].remote.size(), 1u);
}

// Told which files a message has, RemoveMessages looks for no others (a
// file it was told is not there stays), and mess/ and info/ always go.
TEST_F(MessageStateTest, RemoveMessagesLooksOnlyForTheFilesItIsTold) {
  ASSERT_TRUE(Preprocess());
  std::vector<MessageFiles> files = {{.todo = false, .local = true, .remote = false,
                                      .bounce = false}};
  Status synced;
  std::vector<Status> removed = RemoveMessages(q_, {kId}, nullptr, &synced, &files);
  ASSERT_TRUE(removed[0].ok()) << removed[0].message();
  EXPECT_TRUE(synced.ok());
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kLocal, kId)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kInfo, kId)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kMess, kId)));
  EXPECT_TRUE(FileExists(MessagePath(q_, QueueArea::kRemote, kId))) << "told it was not there";
}

// A message whose deliveries may still read it (recycle_mess false) loses
// its mess/ file for good: no new message may get that inode meanwhile.
TEST_F(MessageStateTest, AnAbandonedMessagesContentIsNotRecycled) {
  ASSERT_TRUE(Preprocess());
  struct stat st;
  ASSERT_EQ(stat(MessagePath(q_, QueueArea::kMess, kId).c_str(), &st), 0);
  SpareFiles spares(q_);
  std::vector<MessageFiles> files(1);
  files[0].recycle_mess = false;
  std::vector<Status> removed = RemoveMessages(q_, {kId}, &spares, nullptr, &files);
  ASSERT_TRUE(removed[0].ok()) << removed[0].message();
  spares.Drain();
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kMess, kId)));
  EXPECT_EQ(spares.count(), 3u) << "info, local and remote kept, mess not";
  for (size_t n = 0; n < 4; ++n) {
    struct stat spare;
    const std::string path = SpareDir(q_) + "/" + std::to_string(n);
    if (stat(path.c_str(), &spare) == 0) {
      EXPECT_NE(spare.st_ino, st.st_ino) << path;
    }
  }
}

TEST_F(MessageStateTest, MarkingIsPerRecipientAndDurable) {
  ASSERT_TRUE(Preprocess());
  auto local = ReadRecipients(q_, QueueArea::kLocal, kId);
  ASSERT_TRUE(MarkRecipientDone(q_, QueueArea::kLocal, kId, (*local)[1].offset).ok());
  auto again = ReadRecipients(q_, QueueArea::kLocal, kId);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)[0].done);
  EXPECT_TRUE((*again)[1].done);
  EXPECT_EQ((*again)[1].recipient, "lee@example.com");
}

TEST_F(MessageStateTest, BounceRecordsSurvivePartialAppend) {
  ASSERT_TRUE(AppendBounceRecord(q_, kId, "kim@example.com", "no such user").ok());
  ASSERT_TRUE(AppendBounceRecord(q_, kId, "lee@example.com", "over quota").ok());
  std::string path = MessagePath(q_, QueueArea::kBounce, kId);
  std::string text = yubin::testing::ReadFileOrEmpty(path) + "half@rec";
  WriteFileOrDie(path, text, 0600);
  auto b = ReadBounceRecords(q_, kId);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[1].recipient, "lee@example.com");
  EXPECT_EQ((*b)[1].reason, "over quota");
  ASSERT_TRUE(RemoveBounceRecords(q_, kId).ok());
  EXPECT_TRUE(ReadBounceRecords(q_, kId)->empty());
}

TEST_F(MessageStateTest, NextAttemptIsTheMtime) {
  ASSERT_TRUE(Preprocess());
  ASSERT_TRUE(SetNextAttempt(q_, QueueArea::kLocal, kId, 2000000000).ok());
  EXPECT_EQ(NextAttempt(q_, QueueArea::kLocal, kId), 2000000000);
  EXPECT_EQ(NextAttempt(q_, QueueArea::kBounce, kId), 0);
}

TEST_F(MessageStateTest, RemoveMessageRemovesEverything) {
  ASSERT_TRUE(Preprocess());
  ASSERT_TRUE(AppendBounceRecord(q_, kId, "a", "b").ok());
  ASSERT_TRUE(RemoveMessage(q_, kId).ok());
  for (QueueArea a : kAllAreas) {
    EXPECT_FALSE(FileExists(MessagePath(q_, a, kId))) << AreaName(a);
  }
}

TEST_F(MessageStateTest, MalformedRecipientsFileIsPermanent) {
  WriteFileOrDie(MessagePath(q_, QueueArea::kLocal, kId), std::string("Xa\0b\0", 5), 0600);
  auto r = ReadRecipients(q_, QueueArea::kLocal, kId);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().permanent());
}

// The group forms commit several messages with one sync; a broken one keeps
// its todo/ file and does not stop the others.
TEST_F(MessageStateTest, GroupPreprocessAndRemove) {
  constexpr MessageId kOther = 311, kBroken = 412;
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kOther), "x\n", 0600);
  using namespace std::string_literals;
  WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, kOther),
                 FormatInjectorRecords(0, 2, 7) + "F\0Tfar@remote.net\0\0"s, 0600);
  WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, kBroken), "not an envelope", 0600);
  std::vector<Status> done = PreprocessMessages(q_, {kId, kBroken, kOther}, rules_);
  ASSERT_EQ(done.size(), 3u);
  EXPECT_TRUE(done[0].ok()) << done[0].message();
  EXPECT_FALSE(done[1].ok());
  EXPECT_TRUE(done[2].ok()) << done[2].message();
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kTodo, kId)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kTodo, kOther)));
  EXPECT_TRUE(FileExists(MessagePath(q_, QueueArea::kTodo, kBroken)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kInfo, kBroken)));
  EXPECT_EQ(ReadMessageInfo(q_, kOther)->sender, "");
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kLocal, kOther)));
  auto remote = ReadRecipients(q_, QueueArea::kRemote, kOther);
  ASSERT_TRUE(remote.ok());
  ASSERT_EQ(remote->size(), 1u);
  struct stat st;
  ASSERT_EQ(stat(MessagePath(q_, QueueArea::kInfo, kOther).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "queue files are for the queue's owner only";

  // A done byte written without its own fsync, made durable by the group's sync.
  ASSERT_TRUE(WriteDoneByte(q_, QueueArea::kRemote, kOther, (*remote)[0].offset).ok());
  ASSERT_TRUE(SyncFileSystem(q_).ok());
  EXPECT_TRUE(ReadRecipients(q_, QueueArea::kRemote, kOther)->front().done);

  std::vector<Status> removed = RemoveMessages(q_, {kId, kOther});
  ASSERT_EQ(removed.size(), 2u);
  for (const Status& r : removed) EXPECT_TRUE(r.ok()) << r.message();
  for (MessageId id : {kId, kOther}) {
    for (QueueArea a : {QueueArea::kMess, QueueArea::kInfo, QueueArea::kLocal,
                        QueueArea::kRemote, QueueArea::kTodo}) {
      EXPECT_FALSE(FileExists(MessagePath(q_, a, id))) << id;
    }
  }
  EXPECT_TRUE(FileExists(MessagePath(q_, QueueArea::kTodo, kBroken))) << "not in the group";
}

// With spare files, preprocessing and removal allocate and free no inodes:
// the todo/ file and the removed files (mess too) wait in spare/ for the
// next message.
TEST_F(MessageStateTest, GroupsRecycleSpareFiles) {
  SpareFiles spares(q_);
  std::vector<Status> done = PreprocessMessages(q_, {kId}, rules_, &spares);
  ASSERT_TRUE(done[0].ok()) << done[0].message();
  EXPECT_EQ(spares.count(), 1u) << "the todo/ file";
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kTodo, kId)));
  std::vector<Status> removed = RemoveMessages(q_, {kId}, &spares);
  ASSERT_TRUE(removed[0].ok()) << removed[0].message();
  EXPECT_EQ(spares.count(), 5u) << "todo, info, local, remote and, last, mess";
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kMess, kId)));
  EXPECT_FALSE(FileExists(MessagePath(q_, QueueArea::kInfo, kId)));

  constexpr MessageId kNext = 518;
  using namespace std::string_literals;
  WriteFileOrDie(MessagePath(q_, QueueArea::kMess, kNext), "x\n", 0600);
  WriteFileOrDie(MessagePath(q_, QueueArea::kTodo, kNext),
                 FormatInjectorRecords(0, 2, 9) + "Fs@x.org\0Tkim@example.com\0\0"s, 0600);
  done = PreprocessMessages(q_, {kNext}, rules_, &spares);
  ASSERT_TRUE(done[0].ok()) << done[0].message();
  EXPECT_EQ(spares.count(), 4u) << "info and local placed from spares, todo retired";
  EXPECT_EQ(ReadMessageInfo(q_, kNext)->sender, "s@x.org");
  auto local = ReadRecipients(q_, QueueArea::kLocal, kNext);
  ASSERT_TRUE(local.ok());
  ASSERT_EQ(local->size(), 1u) << "nothing left of the spare's old content";
  EXPECT_EQ((*local)[0].recipient, "kim@example.com");
}

}  // namespace
}  // namespace yubin::queue
