// queue_fixture.h: injecting through the real yubin-queue and looking at the
// queue it leaves, for the queue's integration tests.
//
//   QueueRoot root = MakeQueueRoot();               // ROOT with its queue
//   ProcessResult r = Inject(root, "Subject: x\n\nbody\n", Envelope("a@b", {"c@d"}));
//   QueueSnapshot s = Snapshot(root.queue);          // counts per area
//
// Failures inside these helpers are reported through gtest assertions.
#ifndef YUBIN_TESTS_QUEUE_FIXTURE_H_
#define YUBIN_TESTS_QUEUE_FIXTURE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/harness/harness.h"

namespace yubin::testing {

struct QueueRoot {
  std::string root;
  std::string queue;
};

// A fresh root under the test's temporary directory (or under base) with
// the queue layout created.
QueueRoot MakeQueueRoot(const std::string& base = "");

// F<sender>\0 T<r>\0 ... \0
std::string Envelope(const std::string& sender,
                     const std::vector<std::string>& recipients);

std::string YubinQueuePath();

// Runs yubin-queue with the message on fd 0 and the envelope on fd 1 (both
// from files), YUBIN_ROOT=root.root, plus extra_env. shell_prefix runs in
// the same shell first (e.g. "umask 0;"); WRAP in extra_env, when set, is a
// command line (split on spaces) that runs yubin-queue, e.g. under strace.
ProcessResult Inject(const QueueRoot& root, const std::string& message,
                     const std::string& envelope,
                     const std::vector<std::string>& extra_env = {},
                     const std::string& shell_prefix = "");

struct QueuedMessage {
  uint64_t id = 0;
  std::string content;  // mess/B/id
  std::string sender;
  std::vector<std::string> recipients;
};

struct QueueSnapshot {
  size_t tmp = 0;
  std::map<std::string, size_t> areas;  // "mess" -> count, ...
  std::vector<QueuedMessage> queued;    // every todo entry, parsed
};

QueueSnapshot Snapshot(const std::string& queue_dir);

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_QUEUE_FIXTURE_H_
