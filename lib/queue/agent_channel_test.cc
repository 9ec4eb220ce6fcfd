// agent_channel_test.cc: batches and bytes between yubin-rspawn and a kept
// delivery child.
#include "lib/queue/agent_channel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::queue {
namespace {

using yubin::testing::MakeTempDir;
using yubin::testing::WriteFileOrDie;

class AgentChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    server_.reset(sv[0]);
    child_.reset(sv[1]);
  }
  // A message file holding text, open for reading.
  UniqueFd Message(const std::string& text) {
    std::string path = MakeTempDir("ch") + "/m";
    WriteFileOrDie(path, text, 0600);
    return UniqueFd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  static std::string ReadAll(int fd) {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0) {
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  UniqueFd server_, child_;
};

TEST_F(AgentChannelTest, ABatchArrivesWithItsMessagesInOrder) {
  UniqueFd one = Message("first\n"), two = Message("second\n");
  Delivery d = {{.id = 7, .index = 0, .local = "a", .domain = "far.test", .sender = "s@x", .more = true},
                {.id = 9, .index = 0, .local = "b", .domain = "far.test", .sender = "", .more = true},
                {.id = 7, .index = 1, .local = "c", .domain = "far.test", .sender = "s@x", .more = false}};
  ASSERT_TRUE(SendBatch(server_.get(), d, {one.get(), two.get()}).ok());
  Result<std::optional<ChannelBatch>> got = ReceiveBatch(child_.get());
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_TRUE(got->has_value());
  const ChannelBatch& b = **got;
  ASSERT_EQ(b.delivery.size(), 3u);
  EXPECT_EQ(b.delivery[1].id, 9u);
  EXPECT_EQ(b.delivery[1].local, "b");
  EXPECT_EQ(b.delivery[1].sender, "");
  EXPECT_EQ(b.delivery[2].index, 1u);
  EXPECT_FALSE(b.delivery[2].more);
  ASSERT_EQ(b.messages.size(), 2u);
  EXPECT_EQ(ReadAll(b.messages[0].get()), "first\n");
  EXPECT_EQ(ReadAll(b.messages[1].get()), "second\n");
  EXPECT_NE(fcntl(b.messages[0].get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(AgentChannelTest, EndOfFileIsNoBatch) {
  server_.reset();
  Result<std::optional<ChannelBatch>> got = ReceiveBatch(child_.get());
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(AgentChannelTest, BytesGoTheOtherWay) {
  ASSERT_TRUE(SendChannelByte(child_.get(), kChannelIdle).ok());
  ASSERT_TRUE(SendChannelByte(child_.get(), kChannelLeaving).ok());
  char b[4];
  ASSERT_EQ(recv(server_.get(), b, sizeof b, 0), 1);
  EXPECT_EQ(b[0], kChannelIdle);
  ASSERT_EQ(recv(server_.get(), b, sizeof b, 0), 1);
  EXPECT_EQ(b[0], kChannelLeaving);
}

TEST_F(AgentChannelTest, RefusesWhatItCannotCarry) {
  UniqueFd one = Message("x");
  Delivery d = {{.id = 1, .index = 0, .local = "a", .domain = "far.test", .sender = "s"}};
  EXPECT_FALSE(SendBatch(server_.get(), d, {}).ok()) << "a descriptor per message";
  EXPECT_FALSE(SendBatch(server_.get(), d, {one.get(), one.get()}).ok());
  EXPECT_FALSE(SendBatch(server_.get(), {}, {one.get()}).ok());
  Delivery big;
  std::vector<int> fds;
  for (uint64_t i = 0; i < 40; ++i) {
    big.push_back({.id = i, .index = 0, .local = std::string(2000, 'l'), .domain = "far.test",
                   .sender = "s", .more = i + 1 < 40});
    fds.push_back(one.get());
  }
  EXPECT_FALSE(SendBatch(server_.get(), big, fds).ok()) << "over kMaxChannelBatchBytes";
}

TEST_F(AgentChannelTest, AMalformedPacketIsAnError) {
  ASSERT_EQ(send(server_.get(), "junk", 4, 0), 4);
  EXPECT_FALSE(ReceiveBatch(child_.get()).ok());
  // Requests without their descriptors.
  std::string rec = FormatRequest({.id = 1, .index = 0, .local = "a", .domain = "d", .sender = "s"});
  ASSERT_EQ(send(server_.get(), rec.data(), rec.size(), 0), static_cast<ssize_t>(rec.size()));
  EXPECT_FALSE(ReceiveBatch(child_.get()).ok());
}

// In a forked child, as in the service: the channel and the messages sit on
// low descriptors, some exactly where others are to go; afterwards message
// k is on 3 + k and the channel right after them.
TEST_F(AgentChannelTest, ChildDescriptorsArePlacedWhateverTheirNumbers) {
  const std::string dir = MakeTempDir("place");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (int fd = 3; fd < 64; ++fd) close(fd);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) _exit(10);  // on 3 and 4
    const int peer = fcntl(sv[1], F_DUPFD, 100);
    close(sv[1]);
    std::vector<int> messages;
    for (int k = 0; k < 4; ++k) {
      const std::string path = dir + "/m" + std::to_string(k);
      WriteFileOrDie(path, "message " + std::to_string(k), 0600);
      messages.push_back(open(path.c_str(), O_RDONLY));  // 4, 5, 6, 7
    }
    const int channel = PlaceChildDescriptors(messages, sv[0]);
    if (channel != 7) _exit(11);
    for (int k = 0; k < 4; ++k) {
      if (ReadAll(3 + k) != "message " + std::to_string(k)) _exit(12 + k);
    }
    if (send(channel, "I", 1, 0) != 1) _exit(20);
    char b = 0;
    if (recv(peer, &b, 1, 0) != 1 || b != 'I') _exit(21);
    if ((fcntl(channel, F_GETFD) & FD_CLOEXEC) == 0) _exit(22);
    // One message stays where it is; the channel still goes on 3.
    int sv2[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv2) != 0) _exit(30);
    if (PlaceChildDescriptors({messages[0]}, sv2[0]) != 3) _exit(31);
    if (PlaceChildDescriptors({messages[0]}, -1) != -1) _exit(32);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the _exit codes above";
}

}  // namespace
}  // namespace yubin::queue
