// spare_files.h: yubin-send's recycled state files (docs/queue.md,
// "Recycled files").
//
//   SpareFiles spares(q);                       // takes what queue/spare holds
//   Status s = spares.Place(MessagePath(q, QueueArea::kInfo, id), info);
//   ...
//   s = spares.Retire(MessagePath(q, QueueArea::kInfo, id));  // instead of unlink
//
// yubin-send keeps the files it is done with (todo, info, local, remote,
// bounce and, last, mess) in ROOT/queue/spare (mode 0700, created on first
// use) and renames one into place for the next file it writes, instead of
// unlinking one inode and allocating another; yubin-queue takes its new
// files from there too (TakeSpare). A rename out of spare/ is atomic, so two
// processes never get the same file; a name another process took first is
// simply skipped. On ext4 without a journal every allocation scans
// past each inode freed in the last minutes, which made inode allocation the
// largest single cost of the mail path under load; a rename costs the same
// as the unlink it replaces and allocates nothing.
//
// Place renames a spare (or, with none left, creates a file) to path and
// writes content over it from the start, then cuts the file to the
// content's length: no O_TRUNC, so a recycled file keeps its blocks.
// Retire renames path into spare/ under its number (names_) when it holds
// at most kSpareKeepBytes and fewer than kMaxSpareFiles wait there (counted
// afresh from the directory, at most every kMaxSpareFiles / 8 calls, when
// the names it knows reach that many); any other file is renamed to a
// staging name ("t" + number, which TakeSpare never takes) and unlinked
// from there by a Disposer thread (disposer.h). Freeing blocks is what
// costs, and on a file system mounted with discard each freed extent is a
// synchronous discard request: before, it stalled yubin-send's loop on
// every removal. Neither syncs: the caller's group commit makes the names
// durable, exactly as it would for the creation and unlink they replace.
#ifndef YUBIN_LIB_QUEUE_SPARE_FILES_H_
#define YUBIN_LIB_QUEUE_SPARE_FILES_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"
#include "lib/queue/disposer.h"

namespace yubin::queue {

inline constexpr size_t kMaxSpareFiles = 2048;
// Files up to this size are kept whole in spare/ (their blocks and old
// bytes, mode 0600 in a 0700 directory) until someone takes them and writes
// over them; bigger ones are unlinked. At most
// kMaxSpareFiles * kSpareKeepBytes (64 MiB) of disk.
inline constexpr size_t kSpareKeepBytes = 32 * 1024;

// ROOT/queue/spare.
std::string SpareDir(const std::string& queue_dir);

// Creates or truncates path (mode 0600) and writes content, without a sync:
// for files a group commit makes durable. Place uses it over a spare.
// recycled: path is a queue file already (a spare renamed there), whose mode
// is not set again.
Status WriteQueueFile(const std::string& path, std::string_view content,
                      bool recycled = false);

// For yubin-queue, which takes its two new files (the content, whose inode
// number becomes the message id, and the envelope) from the same spares:
// renames some spare to target, replacing target. False when there was none
// to take (another process may have won the last one). The rename gives the
// file a fresh ctime, so the cleanup never takes it for an old leftover.
bool TakeSpare(const std::string& queue_dir, const std::string& target);

// TakeSpare for a long-running injector with many threads (the intake
// service): spare/ is read once for up to kSpareTakerNames names, handed
// out one per call (a name another process took first is skipped), and
// read again when they run out; a read that found none is not repeated
// for kSpareTakerRetry (a new file is created meanwhile). Saves reading the
// directory for every file.
inline constexpr size_t kSpareTakerNames = 256;
inline constexpr std::chrono::milliseconds kSpareTakerRetry{100};
class SpareTaker {
 public:
  explicit SpareTaker(std::string queue_dir);
  bool Take(const std::string& target);  // any thread

 private:
  std::mutex mu_;
  const std::string dir_;
  std::vector<std::string> names_;  // not tried yet
  std::chrono::steady_clock::time_point found_none_;
  bool ever_empty_ = false;
};

class SpareFiles {
 public:
  explicit SpareFiles(std::string queue_dir);
  Status Place(const std::string& path, std::string_view content);
  // ENOENT is not an error: there was nothing to retire.
  Status Retire(const std::string& path);
  // Removes path without keeping it: renamed to a staging name and unlinked
  // by the disposer. ENOENT is not an error.
  Status Dispose(const std::string& path);
  size_t count() const { return names_.size(); }
  // Waits until every file handed to the disposer is unlinked.
  void Drain() { disposer_.Drain(); }
  // Testing aid: runs on the disposer's thread before each unlink.
  void SetDisposeHookForTesting(std::function<void(const std::string&)> hook) {
    disposer_.SetHookForTesting(std::move(hook));
  }

 private:
  bool EnsureDir();
  // names_ from what spare/ holds now (yubin-queue takes spares too); with
  // remove_staging, staging names left by a crash are unlinked.
  void Rescan(bool remove_staging);

  std::string q_;
  std::string dir_;
  bool dir_ready_ = false;
  std::vector<std::string> names_;  // spare/<n>, ready to be placed
  unsigned long long next_ = 0;     // for the next retired file's name
  size_t retired_since_rescan_ = 0;
  Disposer disposer_;  // last: its destructor drains before the rest go
};

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_SPARE_FILES_H_
