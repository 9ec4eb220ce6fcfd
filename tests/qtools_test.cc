// yubin-qstat, yubin-qread, yubin-showctl and sendmail -bp / mailq, run as
// programs on a root made by yubin-mkroot, with messages injected by the
// real yubin-queue. The manager's per-recipient files (info/, local/,
// remote/, bounce/) are written here in the format of docs/queue.md.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "lib/queue/layout.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {
namespace {

using namespace std::string_literals;
using queue::MessagePath;
using queue::QueueArea;

std::string Bin(const std::string& name) {
  return RunfilePath("cmd/" + name + "/" + name);
}

class QtoolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.root = MakeTempDir("qtools") + "/yubin";
    root_.queue = root_.root + "/queue";
    ProcessResult r = RunProcess({Bin("yubin-mkroot"), "--root", root_.root,
                                  "--user-mode", "--me", "mail.example.com"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  ProcessResult Run(const std::vector<std::string>& argv,
                    std::vector<std::string> env = {}) {
    RunOptions options;
    options.env = std::move(env);
    options.env.push_back("YUBIN_ROOT=" + root_.root);
    return RunProcess(argv, options);
  }

  // Injects through yubin-queue; returns the new message's id.
  uint64_t InjectOne(const std::string& message, const std::string& sender,
                     const std::vector<std::string>& rcpts) {
    std::vector<uint64_t> before = Ids();
    ProcessResult r = Inject(root_, message, Envelope(sender, rcpts));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (uint64_t id : Ids()) {
      if (std::find(before.begin(), before.end(), id) == before.end()) return id;
    }
    ADD_FAILURE() << "no new message in todo/";
    return 0;
  }

  std::vector<uint64_t> Ids() {
    std::vector<uint64_t> ids;
    for (const QueuedMessage& m : Snapshot(root_.queue).queued) ids.push_back(m.id);
    return ids;
  }

  uint64_t SizeOf(uint64_t id) {
    struct stat st;
    EXPECT_EQ(stat(MessagePath(root_.queue, QueueArea::kMess, id).c_str(), &st), 0);
    return static_cast<uint64_t>(st.st_size);
  }

  // What the queue manager's preprocessing leaves, per docs/queue.md.
  void Preprocess(uint64_t id, const std::string& info,
                  const std::string& local, const std::string& remote) {
    WriteFileOrDie(MessagePath(root_.queue, QueueArea::kInfo, id), info);
    if (!local.empty()) {
      WriteFileOrDie(MessagePath(root_.queue, QueueArea::kLocal, id), local);
    }
    if (!remote.empty()) {
      WriteFileOrDie(MessagePath(root_.queue, QueueArea::kRemote, id), remote);
    }
    ASSERT_EQ(unlink(MessagePath(root_.queue, QueueArea::kTodo, id).c_str()), 0);
  }

  QueueRoot root_;
};

TEST_F(QtoolsTest, EmptyQueue) {
  ProcessResult stat = Run({Bin("yubin-qstat")});
  EXPECT_EQ(stat.exit_code, 0) << stat.err;
  EXPECT_EQ(stat.out,
            "messages in queue: 0\nmessages in queue but not yet preprocessed: 0\n");
  ProcessResult read = Run({Bin("yubin-qread")});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "");
}

TEST_F(QtoolsTest, CountsAndListsInjectedAndPreprocessedMessages) {
  uint64_t a = InjectOne("Subject: one\n\nfirst\n", "alice@example.com",
                         {"bob@example.org", "carol@mail.example.com"});
  uint64_t b = InjectOne("Subject: two\n\nsecond message\n", "",
                         {"postmaster@mail.example.com"});
  uint64_t c = InjectOne("Subject: three\n\n", "dave@example.net", {"erin@example.org"});

  ProcessResult stat = Run({Bin("yubin-qstat")});
  EXPECT_EQ(stat.exit_code, 0) << stat.err;
  EXPECT_EQ(stat.out,
            "messages in queue: 3\nmessages in queue but not yet preprocessed: 3\n");

  Preprocess(a, "Falice@example.com\0t1700000000\0"s,
             "Dcarol@mail.example.com\0carol@mail.example.com\0"s,
             "Tbob@example.org\0bob@example.org\0"s);
  Preprocess(c, "t1600000000\0Fdave@example.net\0"s, "", "Derin@example.org\0erin@example.org\0"s);
  WriteFileOrDie(MessagePath(root_.queue, QueueArea::kBounce, c),
                 "erin@example.org\0no such user\0"s);

  stat = Run({Bin("yubin-qstat")});
  EXPECT_EQ(stat.out,
            "messages in queue: 3\nmessages in queue but not yet preprocessed: 1\n");

  ProcessResult read = Run({Bin("yubin-qread")});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.err, "");
  // c and a carry the births written above; b is the newest, from yubin-queue.
  std::string want_c = "13 Sep 2020 12:26:40 GMT  #" + std::to_string(c) + "  " +
                       std::to_string(SizeOf(c)) +
                       "  <dave@example.net>  bouncing\n"
                       "  done  remote  erin@example.org\n";
  std::string want_a = "14 Nov 2023 22:13:20 GMT  #" + std::to_string(a) + "  " +
                       std::to_string(SizeOf(a)) +
                       "  <alice@example.com>\n"
                       "  done  local   carol@mail.example.com\n"
                       "        remote  bob@example.org\n";
  ASSERT_EQ(read.out.substr(0, want_c.size() + want_a.size()), want_c + want_a)
      << read.out;
  std::string rest = read.out.substr(want_c.size() + want_a.size());
  std::string want_b_tail = "  #" + std::to_string(b) + "  " +
                            std::to_string(SizeOf(b)) +
                            "  <>  not yet preprocessed\n"
                            "        todo    postmaster@mail.example.com\n";
  ASSERT_GT(rest.size(), want_b_tail.size()) << read.out;
  EXPECT_EQ(rest.substr(rest.size() - want_b_tail.size()), want_b_tail) << rest;
  EXPECT_NE(rest.find(" GMT  #"), std::string::npos) << rest;
  EXPECT_EQ(std::count(rest.begin(), rest.end(), '\n'), 2) << rest;
}

TEST_F(QtoolsTest, InjectionInProgressCountsButIsNotListed) {
  // Killed before step 6 (the commit): mess/ and intd/ exist, todo/ not.
  ProcessResult r = Inject(root_, "x\n", Envelope("a@b", {"c@d"}),
                           {"YUBIN_QUEUE_CRASH_AT=6"});
  ASSERT_NE(r.exit_code, 0);
  ProcessResult stat = Run({Bin("yubin-qstat")});
  EXPECT_EQ(stat.out,
            "messages in queue: 1\nmessages in queue but not yet preprocessed: 0\n");
  ProcessResult read = Run({Bin("yubin-qread")});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "");
}

TEST_F(QtoolsTest, DamagedStateFileIsWarnedAboutAndOthersListed) {
  uint64_t good = InjectOne("x\n", "a@b", {"c@d"});
  uint64_t bad = InjectOne("y\n", "e@f", {"g@h"});
  Preprocess(bad, "Fe@f\0"s, "", "Xg@h\0"s);
  ProcessResult read = Run({Bin("yubin-qread")});
  EXPECT_EQ(read.exit_code, 111);
  EXPECT_NE(read.err.find("yubin-qread: warning: message " + std::to_string(bad)),
            std::string::npos)
      << read.err;
  EXPECT_NE(read.out.find("#" + std::to_string(good) + "  " + std::to_string(SizeOf(good)) + "  <a@b>"), std::string::npos)
      << read.out;
  EXPECT_NE(read.out.find("#" + std::to_string(bad)), std::string::npos) << read.out;
}

TEST_F(QtoolsTest, MissingQueueIsATemporaryError) {
  RunOptions options;
  options.env = {"YUBIN_ROOT=" + root_.root + "/nowhere"};
  for (const char* tool : {"yubin-qstat", "yubin-qread"}) {
    ProcessResult r = RunProcess({Bin(tool)}, options);
    EXPECT_EQ(r.exit_code, 111) << tool;
    EXPECT_NE(r.err.find(std::string(tool) + ": fatal: "), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << tool;
  }
}

TEST_F(QtoolsTest, HelpAndUsage) {
  for (const char* tool : {"yubin-qstat", "yubin-qread", "yubin-showctl"}) {
    ProcessResult help = Run({Bin(tool), "--help"});
    EXPECT_EQ(help.exit_code, 0) << tool;
    EXPECT_EQ(help.out.rfind("usage: " + std::string(tool), 0), 0u) << help.out;
    ProcessResult bad = Run({Bin(tool), "-x"});
    EXPECT_EQ(bad.exit_code, 100) << tool;
  }
}

TEST_F(QtoolsTest, ShowctlReportsFilesDefaultsAndEnvironment) {
  WriteFileOrDie(root_.root + "/control/databytes", "1000000\n");
  WriteFileOrDie(root_.root + "/control/concurrencyremote", "5\n");
  ProcessResult r = Run({Bin("yubin-showctl")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string control = root_.root + "/control";
  for (const std::string& want : std::vector<std::string>{
       "control directory: " + control + "\n",
        "\nme: mail.example.com\n  source: " + control + "/me\n",
        "\nlocals:\n    mail.example.com\n  source: " + control + "/locals\n",
        "\ndatabytes: 1000000\n  source: " + control + "/databytes\n"
        "  default: 26214400\n  overridden by: $DATABYTES\n  read by: yubin-smtpd\n",
        "\nconcurrencyremote: 5\n  source: " + control + "/concurrencyremote\n"
        "  default: 20\n  meaning: remote deliveries at once\n",
        "\nhelohost: (default) mail.example.com\n  source: default\n"
        "  default: mail.example.com (me)\n",
        "\nqueuelifetime: (default) 604800\n",
        "\ndefaultdelivery: (default)\n    ./Maildir/\n  source: default\n"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << "want:\n" << want << "\ngot:\n" << r.out;
  }

  ProcessResult env = Run({Bin("yubin-showctl")}, {"DATABYTES=42"});
  EXPECT_NE(env.out.find("\ndatabytes: 42\n  source: environment DATABYTES\n"),
            std::string::npos)
      << env.out;
}

TEST_F(QtoolsTest, ShowctlJsonIsValidAndComplete) {
  WriteFileOrDie(root_.root + "/control/badmailfrom", "spam@example.com\n@junk.example\n");
  ProcessResult r = Run({Bin("yubin-showctl"), "-j"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunOptions check;
  check.input = r.out;
  ProcessResult py = RunProcess(
      {"/usr/bin/python3", "-c",
       "import json,sys\n"
       "d=json.load(sys.stdin)\n"
       "s={x['name']:x for x in d['settings']}\n"
       "print(s['me']['value'], s['me']['is_default'])\n"
       "print(s['badmailfrom']['value'], s['badmailfrom']['source'].endswith('/badmailfrom'))\n"
       "print(s['timeoutremote']['value'], s['timeoutremote']['is_default'])\n"
       "print(len(d['settings']), d['problem'], d['other_files'])\n"},
      check);
  ASSERT_EQ(py.exit_code, 0) << py.err << r.out;
  EXPECT_EQ(py.out,
            "mail.example.com False\n"
            "['spam@example.com', '@junk.example'] True\n"
            "1200 True\n"
            "27 None []\n");
}

TEST_F(QtoolsTest, ShowctlWarnsAboutUnusableFiles) {
  // A directory where a file should be cannot be read, even by root.
  ASSERT_EQ(mkdir((root_.root + "/control/rcpthosts.tmp").c_str(), 0700), 0);
  ASSERT_EQ(unlink((root_.root + "/control/rcpthosts").c_str()), 0);
  ASSERT_EQ(rename((root_.root + "/control/rcpthosts.tmp").c_str(),
                   (root_.root + "/control/rcpthosts").c_str()), 0);
  WriteFileOrDie(root_.root + "/control/timeoutsmtpd", "soon\n");
  ProcessResult r = Run({Bin("yubin-showctl")});
  EXPECT_EQ(r.exit_code, 111);
  EXPECT_NE(r.err.find("yubin-showctl: warning: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rcpthosts"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("timeoutsmtpd: not a number from 0 to 86400"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("\ntimeoutsmtpd: (unusable) soon\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nmaxrcpt: (default) 100\n"), std::string::npos) << r.out;
}

TEST_F(QtoolsTest, SendmailBpAndMailqRunQreadBesideThem) {
  uint64_t id = InjectOne("Subject: q\n\nbody\n", "alice@example.com", {"bob@example.org"});
  std::string bin = MakeTempDir("bin");
  for (const char* tool : {"sendmail", "yubin-qread"}) {
    ProcessResult cp = RunProcess({"cp", Bin(tool), bin + "/" + tool});
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
  }
  ASSERT_EQ(symlink("sendmail", (bin + "/mailq").c_str()), 0);
  ProcessResult direct = Run({bin + "/yubin-qread"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  ASSERT_NE(direct.out.find("#" + std::to_string(id) + "  "), std::string::npos)
      << direct.out;
  for (std::vector<std::string> argv :
       {std::vector<std::string>{bin + "/sendmail", "-bp"},
        std::vector<std::string>{bin + "/mailq"}}) {
    ProcessResult r = Run(argv);
    EXPECT_EQ(r.exit_code, 0) << argv[0] << ": " << r.err;
    EXPECT_EQ(r.out, direct.out) << argv[0];
  }
}

}  // namespace
}  // namespace yubin::testing
