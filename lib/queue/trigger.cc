#include "lib/queue/trigger.h"

#include <fcntl.h>
#include <unistd.h>

#include "lib/queue/layout.h"

namespace yubin::queue {

namespace {

bool Poke(const std::string& queue_dir, char byte) {
  std::string path = TriggerPath(queue_dir);
  // O_NONBLOCK on a FIFO without a reader fails with ENXIO instead of
  // waiting for one.
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return false;
  return WriteRetry(fd.get(), &byte, 1) == 1;
}

}  // namespace

bool PokeTrigger(const std::string& queue_dir) { return Poke(queue_dir, '!'); }

bool PokeTriggerControl(const std::string& queue_dir) {
  return Poke(queue_dir, kControlPoke);
}

UniqueFd OpenTriggerForManager(const std::string& queue_dir) {
  std::string path = TriggerPath(queue_dir);
  return UniqueFd(OpenRetry(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
}

size_t DrainTrigger(int fd) {
  bool control = false;
  return DrainTrigger(fd, &control);
}

size_t DrainTrigger(int fd, bool* control) {
  size_t total = 0;
  char buf[512];
  for (;;) {
    ssize_t n = ReadRetry(fd, buf, sizeof buf);
    if (n <= 0) return total;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == kControlPoke) *control = true;
    }
    total += static_cast<size_t>(n);
  }
}

}  // namespace yubin::queue
