// Crash safety of yubin-queue: SIGKILL before every step (the
// YUBIN_QUEUE_CRASH_AT hook) and before every system call (strace's fault
// injection). Afterwards the message is either queued whole or not visible
// at all, and the queue manager's cleanup removes every leftover once past
// the grace period while keeping what was queued.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/cleanup.h"
#include "lib/queue/enqueue.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

constexpr char kMessage[] = "Subject: crash\n\nline 1\nline 2\n";
// Upper bound on system calls one injection makes under strace, so a
// broken loop ends.
constexpr int kMaxSyscalls = 400;

std::string CrashEnvelope() {
  return Envelope("sender@example.com", {"a@example.org", "b@example.net"});
}

// The invariant after any crash, then cleanup with the grace period passed.
// Returns whether the message was queued.
bool CheckAfterCrash(const QueueRoot& root, bool want_committed,
                     const std::string& context) {
  QueueSnapshot s = Snapshot(root.queue);
  if (want_committed) {
    EXPECT_EQ(s.queued.size(), 1u) << context << ": want the message queued";
  }
  EXPECT_LE(s.queued.size(), 1u) << context;
  if (s.queued.size() > 1) return true;
  bool committed = s.queued.size() == 1;
  if (committed) {
    const QueuedMessage& m = s.queued[0];
    size_t eol = m.content.find('\n');
    EXPECT_EQ(m.content.substr(eol + 1), kMessage) << context;
    EXPECT_EQ(m.content.rfind("Received: (yubin ", 0), 0u) << context;
    EXPECT_EQ(m.sender, "sender@example.com") << context;
    EXPECT_EQ(m.recipients,
              (std::vector<std::string>{"a@example.org", "b@example.net"}))
        << context;
  }

  queue::CleanupReport report;
  Status st = queue::CleanupLeftovers(root.queue, /*grace=*/3600,
                                      time(nullptr) + 7200, &report);
  EXPECT_TRUE(st.ok()) << context << ": " << st.message();
  QueueSnapshot after = Snapshot(root.queue);
  EXPECT_EQ(after.tmp, 0u) << context;
  EXPECT_EQ(after.areas["intd"], 0u) << context;
  EXPECT_EQ(after.areas["mess"], committed ? 1u : 0u) << context;
  EXPECT_EQ(after.queued.size(), committed ? 1u : 0u) << context;
  if (committed) {
    EXPECT_EQ(after.queued[0].content, s.queued[0].content) << context;
  }

  // The queue keeps working after the crash and the cleanup.
  ProcessResult again = Inject(root, kMessage, CrashEnvelope());
  EXPECT_EQ(again.exit_code, 0) << context << ": " << again.err;
  EXPECT_EQ(Snapshot(root.queue).queued.size(), committed ? 2u : 1u)
      << context;
  return committed;
}

TEST(QueueCrashTest, KilledBeforeEachStep) {
  for (int step = 1; step <= queue::kEnqueueStepCount; ++step) {
    QueueRoot root = MakeQueueRoot();
    std::string context = "crash before step " + std::to_string(step);
    ProcessResult r = Inject(root, kMessage, CrashEnvelope(),
                             {"YUBIN_QUEUE_CRASH_AT=" + std::to_string(step)});
    ASSERT_EQ(r.term_signal, SIGKILL)
        << context << ": got exit " << r.exit_code << " " << r.err;
    // Committed exactly when the rename into todo/ has happened.
    bool want_committed =
        step > static_cast<int>(queue::EnqueueStep::kCommitEnvelope);
    CheckAfterCrash(root, want_committed, context);
    if (!want_committed) {
      EXPECT_EQ(Snapshot(root.queue).queued.size(), 1u)
          << context << ": only the later injection is queued";
    }
  }
}

TEST(QueueCrashTest, HookIsInertWhenUnsetOrInvalid) {
  for (const char* value : {"", "0", "9", "x"}) {
    QueueRoot root = MakeQueueRoot();
    std::vector<std::string> env;
    if (*value != '\0') env.push_back(std::string("YUBIN_QUEUE_CRASH_AT=") + value);
    ProcessResult r = Inject(root, kMessage, CrashEnvelope(), env);
    EXPECT_EQ(r.exit_code, 0) << "YUBIN_QUEUE_CRASH_AT=" << value << ": " << r.err;
  }
}

// The system calls of one complete injection, in order, each as
// (name, how many calls of that name came before it + 1): strace's
// inject=NAME:when=K hits exactly that call.
std::vector<std::pair<std::string, int>> TraceSystemCalls(
    const std::string& trace) {
  std::vector<std::pair<std::string, int>> calls;
  std::map<std::string, int> seen;
  size_t pos = 0;
  while (pos < trace.size()) {
    size_t eol = trace.find('\n', pos);
    if (eol == std::string::npos) eol = trace.size();
    std::string line = trace.substr(pos, eol - pos);
    pos = eol + 1;
    size_t paren = line.find('(');
    if (paren == std::string::npos || paren == 0) continue;
    std::string name = line.substr(0, paren);
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
        std::string::npos) {
      continue;  // "--- SIGxxx", "+++ exited", resumed calls
    }
    calls.emplace_back(name, ++seen[name]);
  }
  return calls;
}

// A root whose queue/spare holds two old files when spares is set, so that
// yubin-queue takes its files from there (lib/queue/spare_files.h).
QueueRoot CrashRoot(bool spares) {
  QueueRoot root = MakeQueueRoot();
  if (spares) {
    std::string dir = root.queue + "/spare";
    EXPECT_EQ(mkdir(dir.c_str(), 0700), 0);
    WriteFileOrDie(dir + "/1", "old content of a finished message\n", 0600);
    WriteFileOrDie(dir + "/2", "old envelope\n", 0600);
  }
  return root;
}

class QueueCrashSyscallTest : public ::testing::TestWithParam<bool> {};

TEST_P(QueueCrashSyscallTest, KilledBeforeEachSystemCall) {
  std::string trace_file = MakeTempDir("trace") + "/trace";
  QueueRoot probe = CrashRoot(GetParam());
  ProcessResult traced =
      Inject(probe, kMessage, CrashEnvelope(),
             {"WRAP=strace -qq -o " + trace_file}, "strace -o /dev/null true || exit 77;");
  if (traced.exit_code == 77 || traced.exit_code == 127) {
    GTEST_SKIP() << "strace cannot trace here (apt-get install strace; "
                    "ptrace must be allowed): " << traced.err;
  }
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  std::vector<std::pair<std::string, int>> calls =
      TraceSystemCalls(ReadFileOrEmpty(trace_file));
  ASSERT_GT(calls.size(), 20u) << ReadFileOrEmpty(trace_file);
  ASSERT_LT(calls.size(), static_cast<size_t>(kMaxSyscalls));

  size_t first_committed = 0;
  size_t killed = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    const auto& [name, nth] = calls[i];
    std::string context = "SIGKILL before system call " + std::to_string(i + 1) +
                          " (" + name + " #" + std::to_string(nth) + ")";
    QueueRoot root = CrashRoot(GetParam());
    ProcessResult r = Inject(
        root, kMessage, CrashEnvelope(),
        {"WRAP=strace -qq -o /dev/null -e inject=" + name +
         ":signal=SIGKILL:when=" + std::to_string(nth)});
    // strace dies of the tracee's signal, or exits 128+9 (versions differ).
    bool was_killed = r.term_signal == SIGKILL || r.exit_code == 128 + SIGKILL;
    context += " (exit " + std::to_string(r.exit_code) + ", signal " +
               std::to_string(r.term_signal) + ", stderr: " + r.err + ")";
    if (!was_killed) {
      // A call strace does not stop (the first execve happens before the
      // tracee is under its control): the run completes.
      EXPECT_EQ(r.exit_code, 0) << context;
      CheckAfterCrash(root, /*want_committed=*/true, context);
      continue;
    }
    ++killed;
    // Once a crash point lies past the commit, every later one does too.
    bool committed =
        CheckAfterCrash(root, /*want_committed=*/first_committed > 0, context);
    if (committed && first_committed == 0) first_committed = i + 1;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GE(killed, calls.size() - 2) << "got " << killed << " of "
                                      << calls.size() << " runs killed";
  EXPECT_GT(first_committed, 1u) << "no crash point before the commit";
  EXPECT_LT(first_committed, calls.size()) << "no crash point after the commit";
  // Without spares the one rename is intd/ to todo/; with them, two spares
  // are renamed into place before it.
  EXPECT_EQ(std::count_if(calls.begin(), calls.end(),
                          [](const auto& c) { return c.first == "rename"; }),
            GetParam() ? 3 : 1);
}

INSTANTIATE_TEST_SUITE_P(Spares, QueueCrashSyscallTest, ::testing::Bool());

// A sync that fails (EIO, as from a disk that lost the write) fails the
// injection with the write-error code, and nothing becomes visible.
TEST(QueueCrashTest, FailedSyncIsATemporaryFailure) {
  QueueRoot root = MakeQueueRoot();
  ProcessResult r =
      Inject(root, kMessage, CrashEnvelope(),
             {"WRAP=strace -qq -o /dev/null -e inject=syncfs:error=EIO"},
             "strace -o /dev/null true || exit 77;");
  if (r.exit_code == 77 || r.exit_code == 127) {
    GTEST_SKIP() << "strace cannot trace here: " << r.err;
  }
  EXPECT_EQ(r.exit_code, 53) << r.err;
  EXPECT_NE(r.err.find("syncfs"), std::string::npos) << r.err;
  CheckAfterCrash(root, /*want_committed=*/false, "syncfs failed with EIO");
}

}  // namespace
}  // namespace yubin::testing
