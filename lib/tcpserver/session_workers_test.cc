#include "lib/tcpserver/session_workers.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace yubin::tcpserver {
namespace {

using std::chrono::milliseconds;

constexpr char kSecret[] = "previous-client-secret-7f3a9c";
// A buffer the size of yubin-smtpd's message buffers.
constexpr size_t kBufferBytes = 16 * 1024;

// Reads what the worker wrote to a connection until it closes it (or 5 s).
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return out + "<timeout>";
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Waits up to 5 s for pid's exit; its wait status, or -1.
int WaitExit(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    int wstat = 0;
    pid_t got = waitpid(pid, &wstat, WNOHANG);
    if (got == pid) return wstat;
    std::this_thread::sleep_for(milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

std::string Write(const std::string& text) {
  (void)!write(1, text.data(), text.size());
  return text;
}

// Descriptors open in this process, as "0 1 2 ..." (the directory's own
// one left out).
std::string OpenDescriptors() {
  std::string out;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return "?";
  std::vector<int> fds;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd != dirfd(d)) fds.push_back(fd);
  }
  closedir(d);
  std::sort(fds.begin(), fds.end());
  for (int fd : fds) out += std::to_string(fd) + " ";
  return out;
}

[[gnu::noinline]] void LeaveSecretOnStack() {
  volatile char area[8192];
  for (size_t i = 0; i + sizeof kSecret <= sizeof area; i += sizeof kSecret) {
    for (size_t j = 0; j < sizeof kSecret - 1; ++j) area[i + j] = kSecret[j];
  }
}

[[gnu::noinline]] bool StackHoldsSecret() {
  char area[8192];
  asm volatile("" : : "r"(area) : "memory");  // read as the stack left it
  return memmem(area, sizeof area, kSecret, sizeof kSecret - 1) != nullptr;
}

// The worker side of the tests: payload "echo:X" writes X and the pid and
// returns the length of X; "leave" leaves a descriptor, a variable, freed
// heap and stack behind; "look" reports which of them it finds; "die" dies.
int Serve(std::string_view payload) {
  const std::string p(payload);
  if (p.rfind("echo:", 0) == 0) {
    Write(p.substr(5) + " " + std::to_string(getpid()));
    return static_cast<int>(p.size() - 5);
  }
  if (p == "leave") {
    (void)open("/dev/null", O_RDONLY);  // never closed
    setenv("LEFT_BEHIND", kSecret, 1);
    char* heap = static_cast<char*>(malloc(kBufferBytes));
    for (size_t i = 0; i + sizeof kSecret <= kBufferBytes; i += sizeof kSecret)
      memcpy(heap + i, kSecret, sizeof kSecret - 1);
    free(heap);
    LeaveSecretOnStack();
    Write("left");
    return 0;
  }
  if (p == "look") {
    std::string seen = "fds " + OpenDescriptors();
    if (getenv("LEFT_BEHIND") != nullptr) seen += "env ";
    char* heap = static_cast<char*>(malloc(kBufferBytes));
    asm volatile("" : : "r"(heap) : "memory");  // read as malloc left it
    if (memmem(heap, kBufferBytes, kSecret, sizeof kSecret - 1) != nullptr) seen += "heap ";
    free(heap);
    if (StackHoldsSecret()) seen += "stack ";
    Write(seen);
    return 0;
  }
  if (p == "die") _exit(9);
  return 1;
}

class WorkerPoolTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (pid_t pid : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }

  // A client and server end of a connection.
  struct Connection {
    int client = -1;
    int server = -1;
  };
  Connection Open() {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    return {sv[0], sv[1]};
  }

  // Forks a worker for its first connection (payload first).
  pid_t Fork(WorkerPool& pool, Connection c, const std::string& first) {
    UniqueFd child_end;
    Result<UniqueFd> channel = pool.NewChannel(&child_end);
    EXPECT_TRUE(channel.ok());
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(c.server, 0);
      dup2(c.server, 1);
      ServeConnections(child_end.get(), Serve, first);
    }
    close(c.server);
    pools_pid_ = pid;
    pids_.push_back(pid);
    pool.Started(pid, std::move(*channel), "192.0.2.1");
    return pid;
  }

  // Waits for reports (up to 5 s) until one arrives.
  std::vector<WorkerPool::Finished> Reports(WorkerPool& pool) {
    for (int i = 0; i < 50; ++i) {
      std::vector<pollfd> fds;
      pool.AppendPollFds(&fds);
      if (fds.empty()) return {};
      if (poll(fds.data(), fds.size(), 100) > 0) {
        std::vector<WorkerPool::Finished> done = pool.Collect(fds, 0);
        if (!done.empty()) return done;
      }
    }
    return {};
  }

  std::vector<pid_t> pids_;
  pid_t pools_pid_ = 0;
};

TEST_F(WorkerPoolTest, AWorkerServesConnectionsInTurnUntilItsUsesAreDone) {
  WorkerPool pool(3);
  ASSERT_TRUE(pool.enabled());
  Connection first = Open();
  const pid_t pid = Fork(pool, first, "echo:one");
  EXPECT_EQ(pool.busy(), 1u);
  EXPECT_EQ(ReadAll(first.client), "one " + std::to_string(pid));
  std::vector<WorkerPool::Finished> done = Reports(pool);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].pid, pid);
  EXPECT_EQ(done[0].status, 3);
  EXPECT_EQ(done[0].ip, "192.0.2.1");
  EXPECT_EQ(pool.busy(), 0u);

  for (const std::string word : {"two!", "three"}) {
    Connection c = Open();
    std::optional<pid_t> took = pool.HandOff(c.server, "echo:" + word, "192.0.2.2");
    close(c.server);
    ASSERT_TRUE(took.has_value());
    EXPECT_EQ(*took, pid);
    EXPECT_EQ(pool.busy(), 1u);
    EXPECT_EQ(ReadAll(c.client), word + " " + std::to_string(pid));
    done = Reports(pool);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].status, static_cast<int>(word.size()));
    EXPECT_EQ(done[0].ip, "192.0.2.2");
  }
  // Three uses: the channel is closed, nothing takes a fourth connection,
  // and the worker exits 0 at end of file.
  Connection fourth = Open();
  EXPECT_FALSE(pool.HandOff(fourth.server, "echo:four", "192.0.2.3").has_value());
  const int wstat = WaitExit(pid);
  ASSERT_TRUE(WIFEXITED(wstat)) << wstat;
  EXPECT_EQ(WEXITSTATUS(wstat), 0);
  EXPECT_FALSE(pool.Exited(pid).has_value()) << "it ended no connection";
}

TEST_F(WorkerPoolTest, NothingOfOneConnectionIsLeftForTheNext) {
  WorkerPool pool(5);
  Connection first = Open();
  const pid_t pid = Fork(pool, first, "leave");
  EXPECT_EQ(ReadAll(first.client), "left");
  ASSERT_EQ(Reports(pool).size(), 1u);
  Connection second = Open();
  ASSERT_TRUE(pool.HandOff(second.server, "look", "192.0.2.1").has_value());
  close(second.server);
  // Only the connection (0, 1), stderr and the channel.
  const std::string seen = ReadAll(second.client);
  EXPECT_EQ(seen.substr(0, 10), "fds 0 1 2 ") << seen;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), ' '), 5) << seen;
  EXPECT_EQ(seen.find("env"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("heap"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("stack"), std::string::npos) << seen;
  (void)pid;
}

TEST_F(WorkerPoolTest, AWorkerThatDiesEndsItsConnectionWhenReaped) {
  WorkerPool pool(5);
  Connection first = Open();
  const pid_t pid = Fork(pool, first, "die");
  EXPECT_EQ(ReadAll(first.client), "");
  EXPECT_TRUE(Reports(pool).empty());
  const int wstat = WaitExit(pid);
  ASSERT_TRUE(WIFEXITED(wstat));
  EXPECT_EQ(WEXITSTATUS(wstat), 9);
  std::optional<std::string> ip = pool.Exited(pid);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(*ip, "192.0.2.1");
  EXPECT_EQ(pool.busy(), 0u);
}

TEST_F(WorkerPoolTest, AWorkerGoneWhileIdleTakesNoConnection) {
  WorkerPool pool(5);
  Connection first = Open();
  const pid_t pid = Fork(pool, first, "echo:x");
  ASSERT_EQ(Reports(pool).size(), 1u);
  kill(pid, SIGKILL);
  ASSERT_NE(WaitExit(pid), -1);
  Connection next = Open();
  EXPECT_FALSE(pool.HandOff(next.server, "echo:y", "192.0.2.1").has_value());
  EXPECT_FALSE(pool.Exited(pid).has_value());
}

TEST_F(WorkerPoolTest, IdleWorkersRetireAfterTheIdleLimit) {
  WorkerPool pool(5);
  Connection first = Open();
  const pid_t pid = Fork(pool, first, "echo:x");
  ASSERT_EQ(Reports(pool).size(), 1u);
  const WorkerPool::Clock::time_point now = WorkerPool::Clock::now();
  const int wait_ms = pool.RetireIdle(now);
  EXPECT_GT(wait_ms, 0);
  EXPECT_LE(wait_ms, 60000);
  EXPECT_EQ(pool.RetireIdle(now + kIdleLimit), -1);
  const int wstat = WaitExit(pid);
  ASSERT_TRUE(WIFEXITED(wstat));
  EXPECT_EQ(WEXITSTATUS(wstat), 0);
}

TEST_F(WorkerPoolTest, PayloadsOverTheLimitAreNotHandedOff) {
  WorkerPool pool(5);
  Connection first = Open();
  Fork(pool, first, "echo:x");
  ASSERT_EQ(Reports(pool).size(), 1u);
  Connection next = Open();
  EXPECT_FALSE(
      pool.HandOff(next.server, std::string(kMaxWorkerPayload + 1, 'a'), "192.0.2.1").has_value());
  EXPECT_TRUE(pool.HandOff(next.server, "echo:fits", "192.0.2.1").has_value());
}

TEST(WorkerPoolOptionTest, OneUseMeansNoWorkers) {
  EXPECT_FALSE(WorkerPool(1).enabled());
  EXPECT_TRUE(WorkerPool(2).enabled());
}

TEST(EnvironmentBlockTest, RoundTrips) {
  char a[] = "A=1", b[] = "PATH=/bin:/usr/bin", c[] = "EMPTY=";
  char* envp[] = {a, b, c, nullptr};
  std::string block = EnvironmentBlock(envp);
  EXPECT_EQ(block, std::string("A=1\0PATH=/bin:/usr/bin\0EMPTY=\0", 30));
  std::vector<char*> env;
  ASSERT_TRUE(SplitEnvironmentBlock(block, &env));
  ASSERT_EQ(env.size(), 4u);
  EXPECT_STREQ(env[0], "A=1");
  EXPECT_STREQ(env[1], "PATH=/bin:/usr/bin");
  EXPECT_STREQ(env[2], "EMPTY=");
  EXPECT_EQ(env[3], nullptr);
  EXPECT_FALSE(SplitEnvironmentBlock(std::string_view("A=1\0B=2", 7), &env));
  ASSERT_TRUE(SplitEnvironmentBlock("", &env));
  EXPECT_EQ(env.size(), 1u);
}

}  // namespace
}  // namespace yubin::tcpserver
