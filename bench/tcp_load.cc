// tcp_load: connections per second against a TCP server that writes a
// short reply and closes, as in `tcpserver ... echo ok`.
//
//   tcp_load 127.0.0.1 2525 16 5     # 16 clients for 5 seconds
//   -> "connections 41234 seconds 5.00 per_second 8246.8 errors 0"
//
// Each client thread loops: connect, read to end of file, close; a reply
// other than "ok\n" counts as an error. Exits 0, 100 on usage, 111 when
// every connection failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kMaxClients = 1024;
constexpr int kMaxSeconds = 3600;
constexpr size_t kMaxReply = 4096;

std::atomic<long> g_done{0};
std::atomic<long> g_errors{0};
std::atomic<bool> g_stop{false};

void Client(const sockaddr_in& addr) {
  while (!g_stop.load(std::memory_order_relaxed)) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ++g_errors;
      continue;
    }
    std::string reply;
    bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr),
                      sizeof addr) == 0;
    while (ok && reply.size() < kMaxReply) {
      char buf[256];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0) ok = false;
      if (n <= 0) break;
      reply.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    if (ok && reply == "ok\n") ++g_done;
    else ++g_errors;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "tcp_load: usage: tcp_load ip port clients seconds\n");
    return 100;
  }
  sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(atoi(argv[2])));
  int clients = atoi(argv[3]);
  int seconds = atoi(argv[4]);
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || clients < 1 ||
      clients > kMaxClients || seconds < 1 || seconds > kMaxSeconds) {
    fprintf(stderr, "tcp_load: usage: tcp_load ip port clients seconds\n");
    return 100;
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) threads.emplace_back(Client, addr);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  g_stop = true;
  for (std::thread& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  printf("connections %ld seconds %.2f per_second %.1f errors %ld\n",
         g_done.load(), elapsed, static_cast<double>(g_done.load()) / elapsed,
         g_errors.load());
  return g_done.load() > 0 ? 0 : 111;
}
