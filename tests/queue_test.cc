// yubin-queue through its real interface: exit codes, what lands in the
// queue, file modes, the hashed layout, concurrent injections.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "lib/base/fd.h"
#include "lib/queue/layout.h"
#include "lib/queue/trigger.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

using namespace std::string_literals;

constexpr size_t kMaxAddress = 1002;  // qmail-queue's limit

// The message as yubin-queue stores it: its Received line, then the input.
void ExpectStored(const QueuedMessage& m, const std::string& message) {
  static const std::regex kReceived(
      "Received: \\(yubin [0-9]+ invoked by uid [0-9]+\\); "
      "[A-Z][a-z][a-z], [ 0-9]?[0-9] [A-Z][a-z][a-z] [0-9]{4} "
      "[0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}\n");
  size_t eol = m.content.find('\n');
  ASSERT_NE(eol, std::string::npos) << m.content;
  std::string received = m.content.substr(0, eol + 1);
  EXPECT_TRUE(std::regex_match(received, kReceived)) << "got " << received;
  EXPECT_EQ(m.content.substr(eol + 1), message);
}

TEST(QueueTest, QueuesMessageAndEnvelope) {
  QueueRoot root = MakeQueueRoot();
  std::string message = "From: a@example.com\nSubject: t\n\n8bit \xe9\xa3\x9b\n";
  ProcessResult r = Inject(root, message,
                           Envelope("a@example.com", {"b@example.org", "c@x"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  QueueSnapshot s = Snapshot(root.queue);
  ASSERT_EQ(s.queued.size(), 1u);
  ExpectStored(s.queued[0], message);
  EXPECT_EQ(s.queued[0].sender, "a@example.com");
  EXPECT_EQ(s.queued[0].recipients,
            (std::vector<std::string>{"b@example.org", "c@x"}));
  EXPECT_EQ(s.areas["mess"], 1u);
  EXPECT_EQ(s.areas["intd"], 0u);
  EXPECT_EQ(s.tmp, 0u);
}

TEST(QueueTest, ReportsTheIdOnlyWhenAsked) {
  QueueRoot root = MakeQueueRoot();
  ProcessResult quiet = Inject(root, "x\n", Envelope("a@x", {"b@y"}),
                               {"YUBIN_QUEUE_REPORT_ID=0"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "") << "only YUBIN_QUEUE_REPORT_ID=1 asks for the id";
  ProcessResult told = Inject(root, "y\n", Envelope("a@x", {"c@y"}),
                              {"YUBIN_QUEUE_REPORT_ID=1"});
  ASSERT_EQ(told.exit_code, 0) << told.err;
  QueueSnapshot s = Snapshot(root.queue);
  ASSERT_EQ(s.queued.size(), 2u);
  const QueuedMessage& m =
      s.queued[0].recipients[0] == "c@y" ? s.queued[0] : s.queued[1];
  EXPECT_EQ(m.recipients, std::vector<std::string>{"c@y"});
  EXPECT_EQ(told.err, "queued " + std::to_string(m.id) + "\n");
  // A failed injection reports no id, only its error.
  ProcessResult failed = Inject(root, "z\n", "Xbad", {"YUBIN_QUEUE_REPORT_ID=1"});
  EXPECT_EQ(failed.exit_code, 91) << failed.err;
  EXPECT_EQ(failed.err.find("queued "), std::string::npos) << failed.err;
}

TEST(QueueTest, WakesTheManagerThroughTheTrigger) {
  QueueRoot root = MakeQueueRoot();
  UniqueFd trigger = queue::OpenTriggerForManager(root.queue);
  ASSERT_TRUE(trigger.valid());
  ProcessResult r = Inject(root, "x\n", Envelope("a", {"b"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct pollfd p = {trigger.get(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1) << "no wake-up within 5 s";
  queue::TriggerReader reader;
  queue::TriggerNews news = reader.Drain(trigger.get());
  ASSERT_EQ(news.ids.size(), 1u);
  EXPECT_TRUE(yubin::testing::FileExists(
      queue::MessagePath(root.queue, queue::QueueArea::kTodo, news.ids[0])))
      << "the trigger names the message just committed";
  // A failed injection does not wake the manager.
  ProcessResult bad = Inject(root, "x\n", "Xbad\0\0"s);
  ASSERT_EQ(bad.exit_code, 91);
  EXPECT_EQ(queue::DrainTrigger(trigger.get()), 0u);
}

TEST(QueueTest, ExitCodesAreQmailQueues) {
  struct Case {
    const char* what;
    std::string envelope;
    int want;
  } cases[] = {
      {"no F", "Ta@b\0\0"s, 91},
      {"recipient without T", "Fa@b\0Xc@d\0\0"s, 91},
      {"empty envelope", ""s, 54},
      {"truncated before the final NUL", "Fa@b\0Tc@d\0"s, 54},
      {"sender over the limit",
       "F" + std::string(kMaxAddress + 1, 's') + "\0Tc@d\0\0"s, 11},
      {"recipient over the limit",
       "Fa@b\0T"s + std::string(kMaxAddress + 1, 'r') + "\0\0"s, 11},
      {"sender at the limit",
       "F" + std::string(kMaxAddress, 's') + "\0Tc@d\0\0"s, 0},
      {"recipient at the limit",
       "Fa@b\0T"s + std::string(kMaxAddress, 'r') + "\0\0"s, 0},
      {"empty sender (a bounce)", "F\0Tc@d\0\0"s, 0},
      {"no recipients (qmail-queue queues it)", "Fa@b\0\0"s, 0},
  };
  for (const Case& c : cases) {
    QueueRoot root = MakeQueueRoot();
    ProcessResult r = Inject(root, "Subject: x\n\nbody\n", c.envelope);
    EXPECT_EQ(r.exit_code, c.want) << c.what << ": " << r.err;
    QueueSnapshot s = Snapshot(root.queue);
    size_t want_queued = c.want == 0 ? 1 : 0;
    EXPECT_EQ(s.queued.size(), want_queued) << c.what;
    EXPECT_EQ(s.areas["mess"], want_queued) << c.what << ": content left";
    EXPECT_EQ(s.areas["intd"], 0u) << c.what;
    EXPECT_EQ(s.tmp, 0u) << c.what;
  }
}

TEST(QueueTest, NoQueueDirectoryIs61) {
  QueueRoot root{MakeTempDir("noqueue"), ""};
  ProcessResult r = Inject(root, "x\n", Envelope("a", {"b"}));
  EXPECT_EQ(r.exit_code, 61) << r.err;
  EXPECT_NE(r.err.find("yubin-queue: fatal: "), std::string::npos) << r.err;
}

TEST(QueueTest, HelpGoesToStdout) {
  ProcessResult r = RunProcess({YubinQueuePath(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: yubin-queue"), std::string::npos) << r.out;
}

TEST(QueueTest, FilesArePrivateWhateverTheUmask) {
  QueueRoot root = MakeQueueRoot();
  ProcessResult r =
      Inject(root, "x\n", Envelope("a", {"b"}), {}, "umask 0;");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  QueueSnapshot s = Snapshot(root.queue);
  ASSERT_EQ(s.queued.size(), 1u);
  for (queue::QueueArea area : {queue::QueueArea::kMess, queue::QueueArea::kTodo}) {
    struct stat st;
    std::string path = queue::MessagePath(root.queue, area, s.queued[0].id);
    ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << path;
    std::string bucket = queue::BucketDir(root.queue, area,
                                          queue::BucketOf(s.queued[0].id));
    ASSERT_EQ(stat(bucket.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << bucket;
  }
}

TEST(QueueTest, ConcurrentInjectionsAreAllDistinctAndSpreadOverBuckets) {
  constexpr int kMessages = 200;
  QueueRoot root = MakeQueueRoot();
  std::string dir = MakeTempDir("concurrent");
  RunOptions options;
  options.env = {"YUBIN_ROOT=" + root.root, "BIN=" + YubinQueuePath(),
                 "DIR=" + dir, "N=" + std::to_string(kMessages)};
  ProcessResult r = RunShell(
      "cd \"$DIR\" || exit 1\n"
      "i=1; while [ $i -le $N ]; do\n"
      "  printf 'Subject: %s\\n\\nbody %s\\n' $i $i > m$i\n"
      "  printf 'Fs@x\\000Tr%s@y\\000\\000' $i > e$i\n"
      "  ( \"$BIN\" <m$i 1<e$i; echo $? > rc$i ) &\n"
      "  i=$((i+1))\n"
      "done\n"
      "wait\n"
      "cat rc* | sort | uniq -c\n",
      options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "    " + std::to_string(kMessages) + " 0\n")
      << "exit codes (count code): " << r.out << r.err;
  QueueSnapshot s = Snapshot(root.queue);
  ASSERT_EQ(s.queued.size(), static_cast<size_t>(kMessages));
  std::set<uint64_t> ids;
  std::set<unsigned> buckets;
  std::set<std::string> recipients;
  for (const QueuedMessage& m : s.queued) {
    ids.insert(m.id);
    buckets.insert(queue::BucketOf(m.id));
    ASSERT_EQ(m.recipients.size(), 1u);
    const std::string& rcpt = m.recipients[0];
    recipients.insert(rcpt);
    std::string n = rcpt.substr(1, rcpt.find('@') - 1);
    ExpectStored(m, "Subject: " + n + "\n\nbody " + n + "\n");
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages)) << "ids collide";
  EXPECT_EQ(recipients.size(), static_cast<size_t>(kMessages));
  EXPECT_GT(buckets.size(), 20u) << "got " << buckets.size()
                                 << " buckets in use for " << kMessages
                                 << " messages";
  EXPECT_EQ(s.areas["mess"], static_cast<size_t>(kMessages));
  EXPECT_EQ(s.areas["intd"], 0u);
  EXPECT_EQ(s.tmp, 0u);
}

}  // namespace
}  // namespace yubin::testing
