#include "lib/qtools/queue_report.h"

#include "lib/queue/hold_mark.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "lib/qtools/state_records.h"
#include "lib/queue/envelope.h"
#include "lib/queue/layout.h"

namespace yubin::qtools {
namespace {

using namespace std::string_literals;
using queue::MessagePath;
using queue::QueueArea;

class QueueReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
    char tmpl[4096];
    std::snprintf(tmpl, sizeof tmpl, "%s/qr.XXXXXX", base.c_str());
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    queue_ = std::string(tmpl) + "/queue";
    ASSERT_TRUE(queue::CreateQueueLayout(queue_).ok());
  }

  void Write(QueueArea area, queue::MessageId id, const std::string& text) {
    std::ofstream(MessagePath(queue_, area, id), std::ios::binary) << text;
  }

  // A message with content of `size` bytes and a todo/ envelope.
  void AddTodo(queue::MessageId id, int64_t birth, const std::string& sender,
               const std::vector<std::string>& rcpts, size_t size) {
    Write(QueueArea::kMess, id, std::string(size, 'x'));
    std::string env = queue::FormatInjectorRecords(1000, 42, birth) + 'F' + sender + '\0';
    for (const std::string& r : rcpts) env += 'T' + r + '\0';
    Write(QueueArea::kTodo, id, env + '\0');
  }

  std::string queue_;
};

TEST_F(QueueReportTest, CountsMessAndTodo) {
  AddTodo(5, 100, "a@b", {"c@d"}, 10);
  AddTodo(106, 100, "a@b", {"c@d"}, 10);  // same bucket as 5
  Write(QueueArea::kMess, 7, "x");
  Write(QueueArea::kInfo, 7, "Fa@b\0"s);
  Write(QueueArea::kMess, 8, "x");  // an injection in progress
  Result<QueueCounts> c = CountQueue(queue_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->messages, 4u);
  EXPECT_EQ(c->unprocessed, 2u);
  EXPECT_EQ(FormatQueueCounts(*c),
            "messages in queue: 4\n"
            "messages in queue but not yet preprocessed: 2\n");
}

TEST_F(QueueReportTest, MissingQueueIsTemporary) {
  Result<QueueCounts> c = CountQueue(queue_ + "/nonexistent");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().temporary());
}

TEST_F(QueueReportTest, ListsTodoAndPreprocessedMessages) {
  AddTodo(12, 1700000000, "alice@example.com", {"bob@example.org", "x@y"}, 321);
  Write(QueueArea::kMess, 30, std::string(55, 'm'));
  Write(QueueArea::kInfo, 30, "t1600000000\0F\0"s);
  Write(QueueArea::kLocal, 30,
        FormatRecipientRecords({{true, "carol@here", "carol@here"},
                                {false, "dave@here", "dave@here"}}));
  Write(QueueArea::kRemote, 30, FormatRecipientRecords({{false, "erin@there", "erin@there"}}));
  Write(QueueArea::kBounce, 30, "dave@here\0no mailbox\0"s);
  Write(QueueArea::kMess, 31, "x");  // no todo, no info: not listed
  ASSERT_TRUE(queue::WriteMark(queue_, 12, queue::Mark::kHold).ok());

  Result<QueueListing> l = ReadQueue(queue_);
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_TRUE(l->warnings.empty());
  ASSERT_EQ(l->messages.size(), 2u);
  EXPECT_EQ(FormatQueueListing(*l),
            "13 Sep 2020 12:26:40 GMT  #30  55  <>  bouncing\n"
            "  done  local   carol@here\n"
            "        local   dave@here\n"
            "        remote  erin@there\n"
            "14 Nov 2023 22:13:20 GMT  #12  321  <alice@example.com>  not yet preprocessed  held\n"
            "        todo    bob@example.org\n"
            "        todo    x@y\n");
}

TEST_F(QueueReportTest, InfoWithoutBirthUsesItsMtime) {
  Write(QueueArea::kMess, 40, "x");
  Write(QueueArea::kInfo, 40, "Fs@t\0"s);
  struct timespec times[2] = {{1500000000, 0}, {1500000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, MessagePath(queue_, QueueArea::kInfo, 40).c_str(),
                        times, 0), 0);
  Result<std::optional<MessageReport>> m = ReadQueuedMessage(queue_, 40);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ((*m)->birth, 1500000000);
  EXPECT_TRUE((*m)->preprocessed);
  EXPECT_TRUE((*m)->recipients.empty());
}

TEST_F(QueueReportTest, BrokenFilesAreWarnedAboutAndOthersListed) {
  AddTodo(50, 100, "a@b", {"c@d"}, 1);
  Write(QueueArea::kMess, 51, "x");
  Write(QueueArea::kTodo, 51, "garbage");
  Write(QueueArea::kMess, 52, "x");
  Write(QueueArea::kInfo, 52, "Fa@b\0"s);
  Write(QueueArea::kRemote, 52, "Xbad\0"s);
  Result<QueueListing> l = ReadQueue(queue_);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->messages.size(), 3u);
  ASSERT_EQ(l->warnings.size(), 2u);
  EXPECT_NE(l->warnings[0].find("message 51"), std::string::npos) << l->warnings[0];
  EXPECT_NE(l->warnings[1].find("remote/52/52"), std::string::npos) << l->warnings[1];
}

TEST_F(QueueReportTest, ControlCharactersInAddressesAreNotPrinted) {
  AddTodo(60, 0, "evil\n1 Jan", {"x\ry"}, 1);
  Result<QueueListing> l = ReadQueue(queue_);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(FormatQueueListing(*l),
            "1 Jan 1970 00:00:00 GMT  #60  1  <evil?1 Jan>  not yet preprocessed\n"
            "        todo    x?y\n");
}

TEST(QueueDate, QmailShape) {
  EXPECT_EQ(FormatQueueDate(1795837199), "28 Nov 2026 03:39:59 GMT");
}

}  // namespace
}  // namespace yubin::qtools
