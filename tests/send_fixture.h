// send_fixture.h: the fixture of the yubin-send tests: a queue root made by
// the real yubin-queue's layout, yubin-lspawn running the test stand-in
// fake_local, yubin-send, and helpers to inject and to count the queue.
//
//   class MyTest : public SendTest {};
//   TEST_F(MyTest, X) { StartLspawn(); StartSend(); Inject(...); ... }
//
// Every process is a ChildProcess, killed when the fixture ends.
#ifndef YUBIN_TESTS_SEND_FIXTURE_H_
#define YUBIN_TESTS_SEND_FIXTURE_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "tests/harness/harness.h"
#include "tests/queue_fixture.h"

namespace yubin::testing {

inline constexpr auto kWait = 20s;

inline size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos;
       p = haystack.find(needle, p + needle.size())) {
    ++n;
  }
  return n;
}

class SendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeQueueRoot();
    mkdir((root_.root + "/control").c_str(), 0755);
    Control("me", "example.com");
    fake_ = MakeTempDir("fake");
    log_dir_ = MakeTempDir("log");
  }

  void Control(const std::string& name, const std::string& value) {
    WriteFileOrDie(root_.root + "/control/" + name, value + "\n");
  }
  void Fake(const std::string& file, const std::string& value) {
    WriteFileOrDie(fake_ + "/" + file, value);
  }
  std::string FakeFile(const std::string& file) {
    return ReadFileOrEmpty(fake_ + "/" + file);
  }
  std::vector<std::string> Env() {
    return {"YUBIN_ROOT=" + root_.root, "YUBIN_LOCAL=" + RunfilePath("tests/fake_local"),
            "FAKE_LOCAL_DIR=" + fake_, "QMAILQUEUE=" + YubinQueuePath()};
  }
  std::string Socket() { return root_.queue + "/lock/lspawn.sock"; }

  void StartLspawn() {
    unlink(Socket().c_str());
    lspawn_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(lspawn_->Start({RunfilePath("cmd/yubin-lspawn/yubin-lspawn")},
                               {.env = Env()}, "", log_dir_ + "/lspawn.err"));
    ASSERT_TRUE(WaitUntil([&] { return FileExists(Socket()); }, kWait));
  }
  void StartSend() {
    ++send_runs_;
    send_log_ = log_dir_ + "/send" + std::to_string(send_runs_) + ".err";
    send_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(send_->Start({RunfilePath("cmd/yubin-send/yubin-send")}, {.env = Env()},
                             "", send_log_));
    ASSERT_TRUE(WaitUntil([&] { return SendLogHas("status: yubin-send started"); }, kWait))
        << SendLog();
  }
  std::string SendLog() { return ReadFileOrEmpty(send_log_); }
  bool SendLogHas(const std::string& s) { return SendLog().find(s) != std::string::npos; }

  void Inject(const std::string& message, const std::string& sender,
              const std::vector<std::string>& rcpts) {
    ProcessResult r = yubin::testing::Inject(root_, message, Envelope(sender, rcpts));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Files per area (not Snapshot(): that parses todo/ entries, which the
  // running manager removes under it).
  std::map<std::string, size_t> Counts() {
    std::map<std::string, size_t> out;
    for (queue::QueueArea area : queue::kAllAreas) {
      size_t& n = out[std::string(queue::AreaName(area))];
      EXPECT_TRUE(queue::ForEachMessage(root_.queue, area, [&](queue::MessageId) { ++n; }).ok());
    }
    return out;
  }
  bool QueueEmpty() {
    for (auto& [area, n] : Counts()) {
      if (n != 0) return false;
    }
    return true;
  }
  std::string QueueState() {
    std::string out;
    for (auto& [area, n] : Counts()) {
      out += area + "=" + std::to_string(n) + " ";
    }
    return out;
  }
  // Releases a fake delivery blocked on NAME.hang and removes the FIFO.
  void Release(const std::string& name) {
    std::string fifo = fake_ + "/" + name + ".hang";
    int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    unlink(fifo.c_str());
    if (fd >= 0) close(fd);
  }
  void Hang(const std::string& name) {
    ASSERT_EQ(mkfifo((fake_ + "/" + name + ".hang").c_str(), 0600), 0);
  }

  QueueRoot root_;
  std::string fake_, log_dir_, send_log_;
  int send_runs_ = 0;
  std::unique_ptr<ChildProcess> lspawn_, send_;
};

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_SEND_FIXTURE_H_
