// The intake service (yubin-intake): injections over its socket are queued
// exactly as yubin-queue queues them, concurrently, with the client's
// identity; bad requests and aborted or malformed injections leave nothing
// behind and do not stop it; a crash of the service at every step of an
// injection either queues the whole message or leaves nothing visible; and
// yubin-smtpd uses it when $QMAILQUEUE is empty.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lib/base/fd.h"
#include "lib/queue/enqueue.h"
#include "lib/queue/intake_protocol.h"
#include "lib/queue/intake_server.h"
#include "lib/queue/queue_client.h"
#include "lib/queue/spare_files.h"
#include "tests/queue_fixture.h"
#include "tests/smtpd_fixture.h"

namespace yubin::testing {
namespace {

using queue::QueueClient;
using queue::QueueOutcome;

class IntakeService {
 public:
  // Starts yubin-intake on root (laid out already) and waits for its socket.
  bool Start(const std::string& root, const std::vector<std::string>& env = {}) {
    root_ = root;
    log_ = root + "/intake.log";
    RunOptions run;
    run.env = {"YUBIN_ROOT=" + root};
    for (const std::string& e : env) run.env.push_back(e);
    if (!child_.Start({RunfilePath("cmd/yubin-intake/yubin-intake")}, run, "", log_)) {
      return false;
    }
    return WaitUntil([&] { return FileExists(socket()); }, 10s);
  }
  std::string socket() const { return queue::IntakeSocketPath(root_); }
  std::string Log() const { return ReadFileOrEmpty(log_); }
  ChildProcess& child() { return child_; }

 private:
  std::string root_;
  std::string log_;
  ChildProcess child_;
};

QueueOutcome InjectThrough(const std::string& socket, const std::string& message,
                           const std::string& sender, const std::vector<std::string>& rcpts,
                           bool* started) {
  QueueClient q;
  *started = q.StartIntake(socket).ok();
  if (!*started) return {};
  q.WriteMessage(message);
  return q.Finish(queue::PackEnvelope(sender, rcpts));
}

class IntakeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeQueueRoot();
    ASSERT_TRUE(service_.Start(root_.root)) << service_.Log();
  }
  QueueRoot root_;
  IntakeService service_;
};

TEST_F(IntakeServiceTest, QueuesWithTheClientsIdentity) {
  bool started = false;
  QueueOutcome out = InjectThrough(service_.socket(), "Subject: one\n\nbody\n", "a@x.test",
                                   {"b@y.test", "c@z.test"}, &started);
  ASSERT_TRUE(started);
  EXPECT_TRUE(out.ran);
  EXPECT_EQ(out.exit_code, 0) << service_.Log();
  EXPECT_EQ(out.pid, 0);
  QueueSnapshot snap = Snapshot(root_.queue);
  ASSERT_EQ(snap.queued.size(), 1u);
  const QueuedMessage& m = snap.queued[0];
  EXPECT_EQ(out.queue_id, std::to_string(m.id));
  EXPECT_EQ(m.sender, "a@x.test");
  EXPECT_EQ(m.recipients, (std::vector<std::string>{"b@y.test", "c@z.test"}));
  const std::string received = "Received: (yubin " + std::to_string(getpid()) +
                               " invoked by uid " + std::to_string(getuid()) + "); ";
  EXPECT_EQ(m.content.rfind(received, 0), 0u) << m.content;
  EXPECT_NE(m.content.find("\nSubject: one\n\nbody\n"), std::string::npos) << m.content;
  EXPECT_EQ(snap.tmp, 0u);
}

TEST_F(IntakeServiceTest, ManyConcurrentInjectionsAreAllQueued) {
  constexpr int kThreads = 16;
  constexpr int kEach = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        bool started = false;
        QueueOutcome out = InjectThrough(
            service_.socket(), "Subject: " + std::to_string(t * kEach + i) + "\n\nx\n",
            "s@x.test", {"r@y.test"}, &started);
        if (started && out.ran && out.exit_code == 0) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach) << service_.Log();
  QueueSnapshot snap = Snapshot(root_.queue);
  EXPECT_EQ(snap.queued.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(snap.areas["intd"], 0u);
  EXPECT_EQ(snap.tmp, 0u);
}

// yubin-send retires files into queue/spare and places spares while the
// service takes spares for its injections: every committed message must
// still be whole (its own content, its own envelope).
TEST_F(IntakeServiceTest, InjectionsStayWholeWhileSparesChurn) {
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    queue::SpareFiles spares(root_.queue);
    const std::string dir = root_.queue + "/churn";
    mkdir(dir.c_str(), 0700);
    for (uint64_t i = 0; !stop; ++i) {
      const std::string path = dir + "/" + std::to_string(i % 64);
      (void)spares.Place(path, "churned file " + std::to_string(i) + "\n");
      (void)spares.Retire(path);
    }
  });
  constexpr int kThreads = 12;
  constexpr int kEach = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const int n = t * kEach + i;
        bool started = false;
        QueueOutcome out = InjectThrough(
            service_.socket(),
            "Subject: " + std::to_string(n) + "\n\nbody " + std::to_string(n) + "\n",
            "s" + std::to_string(n) + "@x.test", {"r" + std::to_string(n) + "@y.test"}, &started);
        if (started && out.ran && out.exit_code == 0) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  stop = true;
  churn.join();
  EXPECT_EQ(ok.load(), kThreads * kEach) << service_.Log();
  QueueSnapshot snap = Snapshot(root_.queue);
  ASSERT_EQ(snap.queued.size(), static_cast<size_t>(kThreads * kEach));
  for (const QueuedMessage& m : snap.queued) {
    ASSERT_EQ(m.recipients.size(), 1u) << "message " << m.id;
    const std::string n = m.sender.substr(1, m.sender.find('@') - 1);
    EXPECT_EQ(m.recipients[0], "r" + n + "@y.test");
    EXPECT_NE(m.content.find("\nSubject: " + n + "\n\nbody " + n + "\n"), std::string::npos)
        << "message " << m.id << " holds:\n" << m.content;
  }
}

TEST_F(IntakeServiceTest, BadEnvelopeIsRefusedAndTheServiceGoesOn) {
  QueueClient q;
  ASSERT_TRUE(q.StartIntake(service_.socket()).ok());
  q.WriteMessage("Subject: bad\n\nx\n");
  QueueOutcome out = q.Finish(std::string("Xnot an envelope\0\0", 18));
  EXPECT_EQ(out.exit_code, queue::kQueueBadEnvelope);
  EXPECT_TRUE(queue::QueueExitStatus(out.wait_status).permanent());
  bool started = false;
  out = InjectThrough(service_.socket(), "Subject: good\n\nx\n", "a@x.test", {"b@y.test"},
                      &started);
  EXPECT_EQ(out.exit_code, 0);
  QueueSnapshot snap = Snapshot(root_.queue);
  EXPECT_EQ(snap.queued.size(), 1u);
  EXPECT_EQ(snap.areas["mess"], 1u) << "the refused message's content is removed";
  EXPECT_NE(service_.Log().find("exit 91"), std::string::npos) << service_.Log();
}

TEST_F(IntakeServiceTest, AbortedInjectionLeavesNothing) {
  {
    QueueClient q;
    ASSERT_TRUE(q.StartIntake(service_.socket()).ok());
    q.WriteMessage("Subject: half\n\nthe client goes away here");
    q.Abort();
  }
  // The service notices the truncated envelope and removes what it wrote.
  EXPECT_TRUE(WaitUntil([&] { return service_.Log().find("exit 54") != std::string::npos; },
                        10s))
      << service_.Log();
  QueueSnapshot snap = Snapshot(root_.queue);
  EXPECT_EQ(snap.queued.size(), 0u);
  EXPECT_EQ(snap.areas["mess"], 0u);
  EXPECT_EQ(snap.areas["intd"], 0u);
  EXPECT_EQ(snap.tmp, 0u);
}

TEST_F(IntakeServiceTest, RequestWithoutDescriptorsGetsAnAnswer) {
  UniqueFd sock;
  ASSERT_TRUE(queue::ConnectIntake(service_.socket(), &sock).ok());
  ASSERT_EQ(write(sock.get(), "Q", 1), 1);
  char buf[128] = {};
  ssize_t n = read(sock.get(), buf, sizeof buf - 1);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "81 bad request\n");
  bool started = false;
  QueueOutcome out =
      InjectThrough(service_.socket(), "x\n", "a@x.test", {"b@y.test"}, &started);
  EXPECT_EQ(out.exit_code, 0) << "the service still works";
}

// One uid cannot hold every slot: with kMaxInjectionsPerUid of its
// injections stalled, the next is answered 51 (temporary) at once; once
// they go, it is served again.
TEST_F(IntakeServiceTest, OneUidHasAtMostItsShareOfInjections) {
  std::vector<std::unique_ptr<QueueClient>> stalled;
  auto stall = [&](size_t n) {
    for (size_t i = 0; i < n; ++i) {
      stalled.push_back(std::make_unique<QueueClient>());
      EXPECT_TRUE(stalled.back()->StartIntake(service_.socket()).ok());
    }
  };
  stall(queue::kMaxInjectionsPerUid);
  QueueOutcome refused;
  // The service counts the stalled injections in the order its threads
  // run, so a probe may overtake one of them (then that one is refused and
  // the probe served): one more stalled injection before each probe.
  ASSERT_TRUE(WaitUntil([&] {
    stall(1);
    bool started = false;
    refused = InjectThrough(service_.socket(), "x\n", "a@x.test", {"b@y.test"}, &started);
    return started && refused.exit_code == queue::kQueueNoMemory;
  }, 20s)) << service_.Log();
  EXPECT_TRUE(queue::QueueExitStatus(refused.wait_status).temporary());
  EXPECT_NE(service_.Log().find("too many injections from uid"), std::string::npos);
  for (auto& q : stalled) q->Abort();
  bool started = false;
  EXPECT_TRUE(WaitUntil([&] {
    return InjectThrough(service_.socket(), "y\n", "a@x.test", {"b@y.test"}, &started).exit_code ==
           0;
  }, 20s)) << service_.Log();
}

// A thread done with its injection serves the next connection: one after
// the other, 20 injections need one thread (a few more if the next
// connection comes before the last thread is back waiting; the pause
// makes that rare). The service says so as it exits, with its syncs.
TEST_F(IntakeServiceTest, ThreadsAreReusedAcrossInjections) {
  for (int i = 0; i < 20; ++i) {
    bool started = false;
    QueueOutcome out = InjectThrough(service_.socket(), "Subject: x\n\ny\n", "a@x.test",
                                     {"b@y.test"}, &started);
    ASSERT_TRUE(started && out.ran && out.exit_code == 0) << service_.Log();
    std::this_thread::sleep_for(20ms);
  }
  service_.child().Signal(SIGTERM);
  service_.child().Wait(10s);
  std::smatch m;
  const std::string log = service_.Log();
  ASSERT_TRUE(std::regex_search(
      log, m, std::regex("exiting; (\\d+) connections served by (\\d+) threads, (\\d+) syncs")))
      << log;
  EXPECT_EQ(m[1], "20");
  EXPECT_LE(std::stoi(m[2]), 3) << "a thread per injection";
  EXPECT_GE(std::stoi(m[3]), 20) << "each injection waited for its own syncs";
}

TEST_F(IntakeServiceTest, SigtermRemovesTheSocketAndExitsZero) {
  service_.child().Signal(SIGTERM);
  int status = service_.child().Wait(10s);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(FileExists(service_.socket()));
  QueueClient q;
  EXPECT_FALSE(q.StartIntake(service_.socket()).ok());
}

// The service's code in a forked child, with limits the binary does not
// take as options.
class ForkedIntake {
 public:
  ForkedIntake(const std::string& root, size_t max_injections)
      : socket_(root + "/intake/intake.sock") {
    pid_ = fork();
    if (pid_ == 0) {
      queue::IntakeOptions o{.root = root, .max_injections = max_injections};
      _exit(queue::RunIntakeServer(o));
    }
  }
  ~ForkedIntake() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool Listening() {
    return pid_ > 0 && WaitUntil([&] { return FileExists(socket_); }, 10s);
  }
  // SIGTERM, then the exit status (-1 if it did not exit within 90 s).
  int Terminate() {
    kill(pid_, SIGTERM);
    int status = -1;
    const bool exited = WaitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, 90s);
    if (!exited) return -1;
    pid_ = -1;
    return status;
  }
  const std::string& socket() const { return socket_; }

 private:
  const std::string socket_;
  pid_t pid_ = -1;
};

// An injection in a thread of the test: its message and envelope are
// complete once it starts; done says when the service answered.
struct Background {
  explicit Background(const std::string& socket)
      : thread([this, socket] {
          bool started = false;
          outcome = InjectThrough(socket, "Subject: x\n\ny\n", "a@x.test", {"b@y.test"}, &started);
          done = true;
        }) {}
  ~Background() { thread.join(); }
  std::atomic<bool> done{false};
  QueueOutcome outcome;
  std::thread thread;
};

// At most max_injections run at once: with both threads busy, a third
// connection waits in the listen queue, unanswered, until one of them ends;
// then it is served.
TEST(IntakeServiceLimitTest, AtMostMaxInjectionsRunAtOnce) {
  QueueRoot root = MakeQueueRoot();
  ForkedIntake service(root.root, 2);
  ASSERT_TRUE(service.Listening());
  std::vector<std::unique_ptr<QueueClient>> stalled;
  for (int i = 0; i < 2; ++i) {
    stalled.push_back(std::make_unique<QueueClient>());
    ASSERT_TRUE(stalled.back()->StartIntake(service.socket()).ok());
  }
  // From here on no ASSERT: a return would wait for the third injection
  // in ~Background while the service still held it.
  Background third(service.socket());
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(third.done) << "a third injection ran beside two";
  stalled[0]->Abort();
  const bool served = WaitUntil([&] { return third.done.load(); }, 20s);
  EXPECT_TRUE(served) << "the third injection was not served when a thread was free";
  if (served) {
    EXPECT_EQ(third.outcome.exit_code, 0);
  }
  stalled[1]->Abort();
  EXPECT_EQ(service.Terminate(), 0) << "not exit 0 after SIGTERM";
}

// SIGTERM turns away at once a connection that no thread has taken (the
// client hears a temporary failure and can run yubin-queue or answer 451),
// while the running injection may still finish.
TEST(IntakeServiceLimitTest, SigtermTurnsAwayWaitingConnectionsAtOnce) {
  QueueRoot root = MakeQueueRoot();
  ForkedIntake service(root.root, 1);
  ASSERT_TRUE(service.Listening());
  QueueClient running;
  ASSERT_TRUE(running.StartIntake(service.socket()).ok());
  // From here on no ASSERT (see above).
  Background waiting(service.socket());
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(waiting.done) << "a second injection ran beside the one allowed";
  std::thread term([&] { EXPECT_EQ(service.Terminate(), 0); });
  const bool answered = WaitUntil([&] { return waiting.done.load(); }, 10s);
  EXPECT_TRUE(answered) << "the waiting connection got no answer before the service's end";
  if (answered) {
    EXPECT_NE(waiting.outcome.exit_code, 0);
    EXPECT_TRUE(queue::QueueExitStatus(waiting.outcome.wait_status).temporary());
  }
  running.WriteMessage("Subject: y\n\nz\n");
  QueueOutcome out = running.Finish(queue::PackEnvelope("a@x.test", {"b@y.test"}));
  EXPECT_EQ(out.exit_code, 0) << "the running injection was cut off";
  term.join();
}

// YUBIN_QUEUE_CRASH_AT kills the whole service before step N of the
// injection: before the commit (steps 1-6) nothing is queued and the client
// hears a temporary failure; after it (7, 8) the message is whole in the
// queue although the client heard no answer (the documented duplicate
// window, as with yubin-queue).
TEST(IntakeServiceCrashTest, EveryStepLeavesAWholeMessageOrNone) {
  for (int step = 1; step <= queue::kEnqueueStepCount; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    QueueRoot root = MakeQueueRoot();
    IntakeService service;
    ASSERT_TRUE(service.Start(root.root, {"YUBIN_QUEUE_CRASH_AT=" + std::to_string(step)}));
    bool started = false;
    QueueOutcome out = InjectThrough(service.socket(), "Subject: crash\n\nbody\n", "a@x.test",
                                     {"b@y.test"}, &started);
    ASSERT_TRUE(started);
    EXPECT_NE(out.exit_code, 0);
    EXPECT_TRUE(queue::QueueExitStatus(out.wait_status).temporary());
    int status = service.child().Wait(10s);
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    QueueSnapshot snap = Snapshot(root.queue);
    if (step <= static_cast<int>(queue::EnqueueStep::kCommitEnvelope)) {
      EXPECT_EQ(snap.queued.size(), 0u);
    } else {
      ASSERT_EQ(snap.queued.size(), 1u);
      EXPECT_NE(snap.queued[0].content.find("Subject: crash\n\nbody\n"), std::string::npos);
      EXPECT_EQ(snap.queued[0].recipients, std::vector<std::string>{"b@y.test"});
    }
  }
}

// yubin-smtpd with an empty $QMAILQUEUE hands its message to the service.
TEST(IntakeServiceSmtpdTest, SmtpdQueuesThroughTheService) {
  SmtpdServer server;
  ASSERT_TRUE(server.Start({.control = {{"me", "mx.test\n"}, {"rcpthosts", "example.com\n"}},
                            .env = {"QMAILQUEUE="}}));
  ProcessResult mk = RunProcess(
      {RunfilePath("cmd/yubin-mkroot/yubin-mkroot"), "--root", server.root(), "--user-mode"});
  ASSERT_EQ(mk.exit_code, 0) << mk.err;
  IntakeService service;
  ASSERT_TRUE(service.Start(server.root()));
  SmtpClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(Code(c.ReadReply()), "220");
  c.Send("HELO client.test\r\n");
  EXPECT_EQ(Code(c.ReadReply()), "250");
  c.Send("MAIL FROM:<a@sender.test>\r\n");
  EXPECT_EQ(Code(c.ReadReply()), "250");
  c.Send("RCPT TO:<u@example.com>\r\n");
  EXPECT_EQ(Code(c.ReadReply()), "250");
  c.Send("DATA\r\n");
  EXPECT_EQ(Code(c.ReadReply()), "354");
  c.Send("Subject: via intake\r\n\r\nhello\r\n.\r\n");
  std::string done = c.ReadReply();
  EXPECT_EQ(Code(done), "250") << done << server.Log();
  c.Send("QUIT\r\n");
  QueueSnapshot snap = Snapshot(server.root() + "/queue");
  ASSERT_EQ(snap.queued.size(), 1u) << server.Log() << service.Log();
  EXPECT_NE(done.find(std::to_string(snap.queued[0].id)), std::string::npos)
      << "the 250 reply names the queue id: " << done;
  EXPECT_EQ(snap.queued[0].recipients, std::vector<std::string>{"u@example.com"});
  EXPECT_NE(snap.queued[0].content.find("Subject: via intake\n\nhello\n"), std::string::npos);
  EXPECT_TRUE(server.Queued().empty()) << "the queue recorder was not used";
}

}  // namespace
}  // namespace yubin::testing
