// yubin-send, yubin-rspawn and the real yubin-remote end to end: messages
// injected with the real yubin-queue go out over SMTP to Postfix's smtp-sink
// on loopback (smtproutes sends far.test to it); bounces come back to the
// local sender through yubin-lspawn and the test stand-in fake_local.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lib/base/fd.h"
#include "lib/queue/delivery_records.h"
#include "tests/harness/harness.h"
#include "tests/remote_peers.h"
#include "tests/send_fixture.h"

namespace yubin::testing {
namespace {

class SendRemoteTest : public SendTest {
 protected:
  void SetUp() override {
    SendTest::SetUp();
    Control("timeoutconnect", "2");
    Control("timeoutremote", "10");
  }
  std::string RspawnSocket() { return root_.queue + "/lock/rspawn.sock"; }
  // Without $YUBIN_REMOTE (and no yubin-remote beside yubin-rspawn in the
  // runfiles), yubin-rspawn runs yubin-remote's code in its forked child;
  // exec_remote_ makes it exec the real program instead.
  std::vector<std::string> RspawnEnv() {
    std::vector<std::string> env = Env();
    if (exec_remote_) {
      env.push_back("YUBIN_REMOTE=" + RunfilePath("cmd/yubin-remote/yubin-remote"));
    }
    return env;
  }
  void StartRspawn() {
    ++rspawn_runs_;
    rspawn_log_ = log_dir_ + "/rspawn" + std::to_string(rspawn_runs_) + ".err";
    rspawn_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(rspawn_->Start({RunfilePath("cmd/yubin-rspawn/yubin-rspawn")},
                               {.env = RspawnEnv()}, "", rspawn_log_));
    ASSERT_TRUE(WaitUntil([&] { return FileExists(RspawnSocket()); }, kWait))
        << ReadFileOrEmpty(rspawn_log_);
  }
  void RouteTo(const SmtpSink& sink) {
    Control("smtproutes", "far.test:[127.0.0.1]:" + std::to_string(sink.port()));
  }
  // Complete transactions at the sink carrying MARKER in their body.
  static size_t Delivered(const SmtpSink& sink, const std::string& marker) {
    size_t n = 0;
    for (const std::string& d : sink.Dumps()) n += Count(d, marker);
    return n;
  }

  // One message to a remote and a local recipient, through every service.
  void DeliverOneRemoteAndOneLocal() {
    SmtpSink sink;
    ASSERT_TRUE(sink.Start("127.0.0.1"));
    RouteTo(sink);
    StartLspawn();
    StartRspawn();
    StartSend();
    Inject("Subject: out\n\nto the far side\n", "alice@example.com",
           {"bob@far.test", "kim@example.com"});
    ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait))
        << QueueState() << SendLog() << ReadFileOrEmpty(rspawn_log_);
    std::vector<std::string> dumps = sink.Dumps();
    ASSERT_EQ(dumps.size(), 1u) << sink.Log();
    EXPECT_NE(dumps[0].find("to the far side"), std::string::npos) << dumps[0];
    EXPECT_NE(dumps[0].find("bob@far.test"), std::string::npos) << dumps[0];
    EXPECT_EQ(FakeFile("delivered.log"), "kim@example.com <alice@example.com>\n");
    EXPECT_TRUE(SendLogHas("starting delivery ")) << SendLog();
    EXPECT_TRUE(SendLogHas(": bob@far.test: success: ")) << SendLog();
    EXPECT_EQ(FakeFile("alice.mbox"), "") << "no bounce";
  }

  // Recipients answered per yubin-remote process: yubin-rspawn logs
  // "delivery ID.INDEX pid PID: status S" per recipient.
  std::map<std::string, size_t> RecipientsPerPid() {
    std::map<std::string, size_t> per_pid;
    std::string log = ReadFileOrEmpty(rspawn_log_);
    for (size_t at = log.find(" pid "); at != std::string::npos; at = log.find(" pid ", at + 1)) {
      ++per_pid[log.substr(at + 5, log.find(':', at) - at - 5)];
    }
    return per_pid;
  }

  bool exec_remote_ = false;
  std::unique_ptr<ChildProcess> rspawn_;
  std::vector<std::unique_ptr<ChildProcess>> killed_;
  std::string rspawn_log_;
  int rspawn_runs_ = 0;
};

// No yubin-remote beside yubin-rspawn here: this works only because the
// forked child runs yubin-remote's code.
TEST_F(SendRemoteTest, DeliversRemoteRecipientAndRemovesMessage) {
  DeliverOneRemoteAndOneLocal();
}

// The same with $YUBIN_REMOTE: yubin-rspawn execs the program.
TEST_F(SendRemoteTest, AnExecdYubinRemoteDeliversToo) {
  exec_remote_ = true;
  DeliverOneRemoteAndOneLocal();
}

TEST_F(SendRemoteTest, PermanentRejectBouncesToSender) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-f", "RCPT", "-B", "550 5.1.1 No such user here"}));
  RouteTo(sink);
  StartLspawn();
  StartRspawn();
  StartSend();
  Inject("Subject: hard\n\nx\n", "alice@example.com", {"nobody@far.test"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty() && !FakeFile("alice.mbox").empty(); },
                        kWait))
      << QueueState() << SendLog();
  std::string bounce = FakeFile("alice.mbox");
  EXPECT_NE(bounce.find("<nobody@far.test>:"), std::string::npos) << bounce;
  EXPECT_NE(bounce.find("550 5.1.1 No such user here"), std::string::npos) << bounce;
  EXPECT_EQ(Count(FakeFile("delivered.log"), "alice@example.com"), 1u)
      << "got " << FakeFile("delivered.log") << ", want one bounce to alice";
}

TEST_F(SendRemoteTest, TemporaryRejectIsRetriedAfterSigalrm) {
  SmtpSink grey;
  ASSERT_TRUE(grey.Start("127.0.0.1", {"-r", "RCPT", "-b", "451 4.7.1 Greylisted"}));
  RouteTo(grey);
  StartLspawn();
  StartRspawn();
  StartSend();
  Inject("Subject: grey\n\nretry me\n", "alice@example.com", {"bob@far.test"});
  ASSERT_TRUE(WaitUntil([&] { return SendLogHas("deferral: ") && SendLogHas("451 4.7.1 Greylisted"); }, kWait))
      << SendLog();
  EXPECT_EQ(Counts()["remote"], 1u);
  SmtpSink good;
  ASSERT_TRUE(good.Start("127.0.0.1"));
  RouteTo(good);
  // The delivery's connection to grey is kept for more of far.test's mail:
  // SIGHUP makes yubin-rspawn close it, so the new route is taken.
  rspawn_->Signal(SIGHUP);
  send_->Signal(SIGALRM);
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  EXPECT_EQ(Delivered(good, "retry me"), 1u);
  EXPECT_EQ(FakeFile("alice.mbox"), "") << "no bounce";
}

// Five messages for two recipients each at far.test wait in the queue when
// yubin-send starts; with concurrencyremote 1 they go out as one delivery:
// one yubin-remote run, one connection (the sink takes only one session),
// one transaction per message with both recipients.
TEST_F(SendRemoteTest, OneDomainGoesOverOneConnection) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-n", "1"}));
  RouteTo(sink);
  Control("concurrencyremote", "1");
  for (int i = 0; i < 5; ++i) {
    Inject("Subject: batch " + std::to_string(i) + "\n\nbatched\n", "alice@example.com",
           {"a@far.test", "b@far.test"});
  }
  StartLspawn();
  StartRspawn();
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait))
      << QueueState() << SendLog() << ReadFileOrEmpty(rspawn_log_) << sink.Log();
  std::vector<std::string> dumps = sink.Dumps();
  ASSERT_EQ(dumps.size(), 5u) << sink.Log();
  for (const std::string& d : dumps) {
    EXPECT_NE(d.find("X-Rcpt-Args: <a@far.test>"), std::string::npos) << d;
    EXPECT_NE(d.find("X-Rcpt-Args: <b@far.test>"), std::string::npos) << d;
  }
  std::string log = ReadFileOrEmpty(rspawn_log_);
  EXPECT_EQ(Count(log, " pid "), 10u) << log;
  EXPECT_EQ(RecipientsPerPid().size(), 1u) << log;
  EXPECT_EQ(FakeFile("alice.mbox"), "") << "no bounce";
}

// Forty messages for far.test wait when yubin-send starts, with four
// deliveries allowed at once: the backlog is shared, ten messages to each of
// four deliveries (four connections in parallel), instead of one delivery
// taking them all while three slots stay idle.
TEST_F(SendRemoteTest, ABacklogIsSharedAmongTheFreeDeliveries) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1"));
  RouteTo(sink);
  Control("concurrencyremote", "4");
  for (int i = 0; i < 40; ++i) {
    Inject("Subject: backlog " + std::to_string(i) + "\n\nshared\n", "alice@example.com",
           {"r" + std::to_string(i) + "@far.test"});
  }
  StartLspawn();
  StartRspawn();
  StartSend();
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait))
      << QueueState() << SendLog() << ReadFileOrEmpty(rspawn_log_);
  EXPECT_EQ(Delivered(sink, "shared"), 40u) << sink.Log();
  std::map<std::string, size_t> per_pid = RecipientsPerPid();
  ASSERT_EQ(per_pid.size(), 4u) << ReadFileOrEmpty(rspawn_log_);
  for (const auto& [pid, n] : per_pid) EXPECT_EQ(n, 10u) << "pid " << pid;
}

// One message for far.test, then, once it is delivered, another: the second
// goes over the first one's connection, kept open by its yubin-remote (the
// sink exits after its first session, so a new connection would fail).
TEST_F(SendRemoteTest, TheNextMessageForADomainTakesTheKeptConnection) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-n", "1"}));
  RouteTo(sink);
  StartLspawn();
  StartRspawn();
  StartSend();
  Inject("Subject: one\n\nkept\n", "alice@example.com", {"a@far.test"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  Inject("Subject: two\n\nkept\n", "alice@example.com", {"b@far.test"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait))
      << QueueState() << SendLog() << ReadFileOrEmpty(rspawn_log_);
  EXPECT_EQ(Delivered(sink, "kept"), 2u) << sink.Log();
  EXPECT_EQ(RecipientsPerPid().size(), 1u) << ReadFileOrEmpty(rspawn_log_);
  EXPECT_EQ(FakeFile("alice.mbox"), "") << "no bounce";
}

// The server drops the kept connection while it waits (smtp-sink -t 1: one
// second per command): the next message gets a new connection instead of
// a temporary failure on the dead one.
TEST_F(SendRemoteTest, AKeptConnectionTheServerClosesIsLeft) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-t", "1"}));
  RouteTo(sink);
  StartLspawn();
  StartRspawn();
  StartSend();
  Inject("Subject: one\n\nleft\n", "alice@example.com", {"a@far.test"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait)) << QueueState() << SendLog();
  // Past the sink's second, within yubin-rspawn's kAgentIdleMilliseconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  Inject("Subject: two\n\nleft\n", "alice@example.com", {"b@far.test"});
  ASSERT_TRUE(WaitUntil([&] { return QueueEmpty(); }, kWait))
      << QueueState() << SendLog() << ReadFileOrEmpty(rspawn_log_);
  EXPECT_EQ(Delivered(sink, "left"), 2u) << sink.Log();
  EXPECT_EQ(RecipientsPerPid().size(), 2u) << ReadFileOrEmpty(rspawn_log_);
}

// A raw client of yubin-rspawn's socket, as yubin-send is.
class RspawnClient {
 public:
  // The socket is named through /proc/self/fd, as a test's directory can be
  // too deep for the 108 bytes of a socket address.
  explicit RspawnClient(const std::string& dir) : fd_(socket(AF_UNIX, SOCK_STREAM, 0)) {
    UniqueFd d(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    std::string path = "/proc/self/fd/" + std::to_string(d.get()) + "/rspawn.sock";
    struct sockaddr_un sa = {};
    sa.sun_family = AF_UNIX;
    path.copy(sa.sun_path, sizeof sa.sun_path - 1);
    connected_ = connect(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  bool connected() const { return connected_; }
  bool Write(const std::string& data) { return WriteAll(fd_.get(), data).ok(); }
  // Reads result records until `want` arrived, the service closed the
  // connection (closed() then) or 10 s passed.
  std::vector<queue::DeliveryResult> Read(size_t want) {
    std::vector<queue::DeliveryResult> out;
    queue::RecordParser parser(queue::kResultFields);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
      struct pollfd p = {fd_.get(), POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd_.get(), buf, sizeof buf);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      parser.Feed(std::string_view(buf, static_cast<size_t>(n)));
      while (auto rec = parser.Next()) out.push_back(*queue::ParseResult(*rec));
    }
    return out;
  }
  bool closed() const { return closed_; }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  bool closed_ = false;
};

// yubin-send may write thousands of requests at once (20 deliveries of 100);
// yubin-rspawn answers every one (here: the messages do not exist, 111).
TEST_F(SendRemoteTest, RspawnTakesThousandsOfRequestsAtOnce) {
  StartRspawn();
  RspawnClient client(root_.queue + "/lock");
  ASSERT_TRUE(client.connected());
  std::string wire;
  constexpr size_t kRequests = 2000;
  for (size_t i = 0; i < kRequests; ++i) {
    wire += queue::FormatRequest({900000 + i / 3, i % 3, "u" + std::to_string(i), "far.test",
                                  "s@x", (i + 1) % queue::kMaxDeliveryRequests != 0});
  }
  // The last delivery is cut short at 2000: end it.
  wire += queue::FormatRequest({1, 0, "last", "far.test", "s@x", false});
  ASSERT_TRUE(client.Write(wire));
  std::vector<queue::DeliveryResult> results = client.Read(kRequests + 1);
  EXPECT_FALSE(client.closed()) << ReadFileOrEmpty(rspawn_log_);
  ASSERT_EQ(results.size(), kRequests + 1) << ReadFileOrEmpty(rspawn_log_);
  for (const queue::DeliveryResult& r : results) {
    EXPECT_EQ(r.status, 111);
    EXPECT_NE(r.text.find("Unable to open"), std::string::npos) << r.text;
  }
}

// A delivery must be for one domain and at most kMaxDeliveryRequests long;
// anything else is a broken client, whose connection is dropped.
TEST_F(SendRemoteTest, RspawnDropsMalformedDeliveries) {
  StartRspawn();
  {
    RspawnClient client(root_.queue + "/lock");
    ASSERT_TRUE(client.Write(queue::FormatRequest({1, 0, "a", "one.test", "s@x", true}) +
                             queue::FormatRequest({2, 0, "b", "two.test", "s@x", false})));
    EXPECT_TRUE(client.Read(1).empty());
    EXPECT_TRUE(client.closed());
  }
  {
    RspawnClient client(root_.queue + "/lock");
    std::string wire;
    for (size_t i = 0; i <= queue::kMaxDeliveryRequests; ++i) {
      wire += queue::FormatRequest({1, i, "a", "one.test", "s@x", true});
    }
    ASSERT_TRUE(client.Write(wire));
    EXPECT_TRUE(client.Read(1).empty());
    EXPECT_TRUE(client.closed());
  }
  std::string log = ReadFileOrEmpty(rspawn_log_);
  EXPECT_NE(log.find("a delivery for several domains"), std::string::npos) << log;
  EXPECT_NE(log.find("a delivery of more than 100 requests"), std::string::npos) << log;
}

// 50 messages flow while the sink holds each DATA for a second; KILL_WHAT
// (rspawn or send) is SIGKILLed with deliveries in flight and restarted.
// Every message arrives; a message can arrive twice only if it was in flight
// at the kill (at most concurrencyremote of them).
class SendRemoteCrashTest : public SendRemoteTest,
                            public ::testing::WithParamInterface<std::string> {};

TEST_P(SendRemoteCrashTest, EveryMessageDeliveredAfterSigkill) {
  constexpr int kMessages = 50;
  constexpr size_t kConcurrency = 10;
  Control("concurrencyremote", std::to_string(kConcurrency));
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-w", "1"}));
  RouteTo(sink);
  StartLspawn();
  StartRspawn();
  StartSend();
  for (int i = 0; i < kMessages; ++i) {
    Inject("Subject: crash " + std::to_string(i) + "\n\nbody <m" + std::to_string(i) +
               ">\n",
           "alice@example.com", {"bob" + std::to_string(i) + "@far.test"});
  }
  // Kill inside the window: some deliveries recorded, and the sink holding a
  // transaction whose result yubin-send has not recorded yet.
  ASSERT_TRUE(WaitUntil([&] {
    size_t done = Count(SendLog(), ": success: ");
    return done >= 5 && sink.Dumps().size() > done;
  }, kWait)) << SendLog();
  if (GetParam() == "rspawn") {
    ASSERT_EQ(kill(rspawn_->pid(), SIGKILL), 0);
    ASSERT_NE(rspawn_->Wait(10s), -1);
    // Its yubin-remote children, in its process group, run on: keep the
    // group alive (destroying the ChildProcess would kill it).
    killed_.push_back(std::move(rspawn_));
    ASSERT_TRUE(WaitUntil([&] { return SendLogHas("lost the connection to the remote"); },
                          kWait)) << SendLog();
    StartRspawn();
  } else {
    ASSERT_EQ(kill(send_->pid(), SIGKILL), 0);
    ASSERT_NE(send_->Wait(10s), -1);
    StartSend();
  }
  send_->Signal(SIGALRM);
  // A yubin-send killed while removing finished messages can leave their
  // mess/ files alone (no info/ or todo/): the queue's cleanup removes such
  // files after its grace period. Only the one group being removed at the
  // kill can be left so, and only when yubin-send is the one killed.
  auto settled = [&] {
    std::map<std::string, size_t> c = Counts();
    return c["todo"] + c["info"] + c["local"] + c["remote"] + c["bounce"] + c["intd"] == 0;
  };
  ASSERT_TRUE(WaitUntil(settled, 60s)) << QueueState() << SendLog();
  // mess/ goes last, after the removal group's sync: wait for it to go.
  if (GetParam() == "rspawn") {
    EXPECT_TRUE(WaitUntil([&] { return Counts()["mess"] == 0; }, kWait)) << QueueState();
  }
  EXPECT_LE(Counts()["mess"], GetParam() == "send" ? size_t{kMessages} : 0u) << QueueState();
  size_t total = 0;
  for (int i = 0; i < kMessages; ++i) {
    size_t n = Delivered(sink, "<m" + std::to_string(i) + ">\n");
    EXPECT_GE(n, 1u) << "message " << i << " never arrived";
    total += n;
  }
  size_t duplicates = total - std::min<size_t>(total, kMessages);
  std::printf("killed %s: %zu messages, %zu delivered twice\n", GetParam().c_str(),
              static_cast<size_t>(kMessages), duplicates);
  RecordProperty("duplicates", static_cast<int>(duplicates));
  EXPECT_LE(duplicates, kConcurrency) << "more repeats than deliveries in flight";
  EXPECT_EQ(FakeFile("alice.mbox"), "") << "no bounce";
}

INSTANTIATE_TEST_SUITE_P(Kill, SendRemoteCrashTest, ::testing::Values("rspawn", "send"));

}  // namespace
}  // namespace yubin::testing
