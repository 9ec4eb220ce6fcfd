// disposer.h: unlinks files on a thread of its own, so that the caller's
// loop never waits for the file system to free their blocks.
//
//   Disposer d;
//   d.Unlink(q + "/spare/t17");   // returns at once; unlinked soon after
//   d.Drain();                    // waits until everything queued is gone
//
// Freeing a file's blocks is the slow part of an unlink: on a file system
// mounted with `discard` each freed extent is a discard request the unlink
// waits for. yubin-send gives the files it no longer keeps to a Disposer
// after renaming them to names nobody else uses (spare_files.h), so its poll
// loop goes on dispatching deliveries meanwhile. The thread starts with the
// first Unlink; the destructor drains the queue and joins it. Errors are
// ignored: what is queued has already left every name that matters, and a
// name left by a crash is removed at the next start (SpareFiles::Rescan).
#ifndef YUBIN_LIB_QUEUE_DISPOSER_H_
#define YUBIN_LIB_QUEUE_DISPOSER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace yubin::queue {

class Disposer {
 public:
  Disposer() = default;
  ~Disposer();
  Disposer(const Disposer&) = delete;
  Disposer& operator=(const Disposer&) = delete;

  void Unlink(std::string path);
  void Drain();
  // Testing aid: runs on the thread right before each unlink.
  void SetHookForTesting(std::function<void(const std::string&)> hook) {
    hook_ = std::move(hook);
  }

 private:
  void Loop();

  std::function<void(const std::string&)> hook_;
  std::mutex mu_;
  std::condition_variable wake_;  // work queued, or stopping
  std::condition_variable idle_;  // the queue went empty
  std::deque<std::string> queue_;
  bool busy_ = false;  // the thread holds a path it is unlinking
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_DISPOSER_H_
