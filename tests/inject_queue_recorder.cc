// inject_queue_recorder: a test-only queue program (qmail-queue interface)
// that records what it is given instead of queueing it.
//
//   export QMAILQUEUE=.../inject_queue_recorder INJECT_RECORDER_DIR=/tmp/r
//   INJECT_RECORDER_EXIT=53 yubin-inject joe < msg
//
// Reads the message on fd 0 to its end, then the envelope on fd 1 to its
// end, writes them to $INJECT_RECORDER_DIR/message and .../envelope (each
// by rename, the envelope last, so a file there is complete), then exits
// with $INJECT_RECORDER_EXIT (default 0). Exits 55 without the directory
// variable and 54 when it cannot read or write, as qmail-queue would.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"

namespace {

bool ReadToEnd(int fd, std::string* out) {
  char buf[8192];
  for (;;) {
    ssize_t n = yubin::ReadRetry(fd, buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

int main() {
  const char* dir = std::getenv("INJECT_RECORDER_DIR");
  if (dir == nullptr || *dir == '\0') return 55;
  std::string message, envelope;
  if (!ReadToEnd(0, &message) || !ReadToEnd(1, &envelope)) return 54;
  std::string base = dir;
  if (!yubin::WriteFileAtomically(base + "/message", message, 0644).ok() ||
      !yubin::WriteFileAtomically(base + "/envelope", envelope, 0644).ok()) {
    return 54;
  }
  const char* code = std::getenv("INJECT_RECORDER_EXIT");
  return code != nullptr ? std::atoi(code) : 0;
}
