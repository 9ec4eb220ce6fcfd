// queue_recorder: a test stand-in for the queue that speaks the qmail-queue
// interface: message on fd 0, envelope on fd 1. It stores them as
// $RECORDER_DIR/<n>.message and <n>.envelope (n counts from 1, first free
// name) and exits with $RECORDER_EXIT (default 0). Tests use it as
// QMAILQUEUE to see what a delivery would have injected.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace {

bool ReadAll(int fd, std::string* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

bool WriteAll(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  return ::close(fd) == 0 && ok;
}

}  // namespace

int main() {
  const char* dir = std::getenv("RECORDER_DIR");
  if (dir == nullptr) return 55;
  std::string message, envelope;
  if (!ReadAll(0, &message) || !ReadAll(1, &envelope)) return 54;
  for (int n = 1; n < 10000; ++n) {
    std::string base = std::string(dir) + "/" + std::to_string(n);
    if (::access((base + ".message").c_str(), F_OK) == 0) continue;
    if (!WriteAll(base + ".message", message) || !WriteAll(base + ".envelope", envelope)) {
      return 53;
    }
    const char* code = std::getenv("RECORDER_EXIT");
    return code != nullptr ? std::atoi(code) : 0;
  }
  return 53;
}
