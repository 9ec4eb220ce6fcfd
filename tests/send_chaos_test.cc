// Issue 7's crash test: 1,000 messages flow while yubin-send and the local
// delivery service yubin-lspawn are SIGKILLed at random moments and
// restarted. Afterwards every message has been delivered, the queue is
// empty, and repeats stay within the documented window (deliveries in
// flight when a process died: at most concurrencylocal per kill).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "lib/queue/cleanup.h"
#include "tests/send_fixture.h"

namespace yubin::testing {
namespace {

class SendChaosTest : public SendTest {};

TEST_F(SendChaosTest, ThousandMessagesSurviveRandomKills) {
  constexpr int kMessages = 1000;
  constexpr int kKills = 10;
  constexpr size_t kConcurrency = 10;  // concurrencylocal's default
  const unsigned seed = static_cast<unsigned>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("random seed %u\n", seed);
  std::mt19937 rng(seed);

  StartLspawn();
  StartSend();
  // Messages keep arriving while the kills happen.
  std::atomic<bool> injecting{true};
  std::thread injector([&] {
    for (int i = 0; i < kMessages; ++i) {
      Inject("Subject: m\n\nx\n", "alice@example.com",
             {"u" + std::to_string(i) + "@example.com"});
    }
    injecting = false;
  });
  int send_kills = 0, lspawn_kills = 0;
  for (int k = 0; k < kKills && (injecting || !QueueEmpty()); ++k) {
    // The random moment: somewhere in the next 20 to 300 ms of deliveries.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 281));
    if (rng() % 2 == 0) {
      send_->Signal(SIGKILL);
      send_->Wait(kWait);
      ++send_kills;
      StartSend();
    } else {
      lspawn_->SignalGroup(SIGKILL);  // the service and the deliveries it ran
      lspawn_->Wait(kWait);
      ++lspawn_kills;
      StartLspawn();
      // Deliveries lost with the connection wait for their retry time;
      // "retry now" keeps the test short.
      send_->Signal(SIGALRM);
    }
  }
  injector.join();
  std::printf("killed yubin-send %d times, yubin-lspawn %d times\n", send_kills,
              lspawn_kills);
  // Done when no recipient is left. A yubin-send killed while removing a
  // group of finished messages can leave their mess/ files, with nothing
  // left that names them, for the cleanup to remove after its grace period
  // (docs/queue.md, "Removal"): once yubin-send is stopped, a cleanup
  // without grace must leave no mess/ file at all.
  auto unfinished = [&] {
    std::map<std::string, size_t> c = Counts();
    return c["todo"] + c["info"] + c["local"] + c["remote"] + c["bounce"];
  };
  ASSERT_TRUE(WaitUntil(
      [&] {
        send_->Signal(SIGALRM);
        return unfinished() == 0;
      },
      std::chrono::seconds(180)))
      << QueueState();
  send_->Signal(SIGKILL);
  send_->Wait(kWait);
  queue::CleanupReport report;
  ASSERT_TRUE(queue::CleanupLeftovers(root_.queue, /*grace=*/0, time(nullptr) + 1, &report).ok());
  EXPECT_EQ(Counts()["mess"], 0u) << QueueState();
  std::string log = FakeFile("delivered.log");
  size_t total = 0, lost = 0;
  for (int i = 0; i < kMessages; ++i) {
    size_t n = Count(log, "u" + std::to_string(i) + "@example.com ");
    if (n == 0) ++lost;
    total += n;
  }
  EXPECT_EQ(lost, 0u) << "messages never delivered";
  size_t repeats = total - static_cast<size_t>(kMessages - lost);
  std::printf("delivered %zu copies of %d messages: %zu repeats\n", total, kMessages,
              repeats);
  EXPECT_LE(repeats, static_cast<size_t>(send_kills + lspawn_kills) * kConcurrency);
}

}  // namespace
}  // namespace yubin::testing
