// log_dir.h: one automatically rotated log directory, as multilog keeps it.
//
//   LogDir dir(settings, &pauser);
//   if (Status s = dir.Open(); !s.ok()) Fatal(111, s.message());
//   dir.Append("line\n");          // buffered; rotates by itself
//   dir.Flush();                   // one write(2) of what is buffered
//   dir.Rotate();                  // SIGALRM: now, if current is non-empty
//   dir.Close();                   // end of input: fsync, current 0744
//
// Layout: lock (flock held while open), current (0644 while written, 0744
// once fsynced), archives @<TAI64N>.s (complete) and .u (found unfinished at
// start), state/newstate/processed/previous for the processor protocol.
// A file ends when it holds max_size bytes (splitting a line there) or when a
// line ends and it holds at least max_size - 2000 bytes. After a rotation at
// most max_files - 1 archives are kept.
//
// Open fails (temporary) when the directory cannot be made or locked. Once
// open, nothing fails: write errors and failing processors are reported on
// stderr and retried after Pauser::Pause(), so no byte is lost or reordered.
#ifndef YUBIN_LIB_MULTILOG_LOG_DIR_H_
#define YUBIN_LIB_MULTILOG_LOG_DIR_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/base/tai64n.h"
#include "lib/multilog/script.h"

namespace yubin::multilog {

// A newline this close to max_size ends the file.
inline constexpr size_t kLineEndSlack = 2000;
// Bytes buffered per directory before a write(2).
inline constexpr size_t kDirBufferSize = 65536;

// Waits before a retry. The daemon's pauser sleeps kRetryPause while still
// noticing signals; tests may substitute their own.
class Pauser {
 public:
  virtual ~Pauser() = default;
  virtual void Pause() = 0;
};

class LogDir {
 public:
  LogDir(DirectorySettings settings, Pauser* pauser);
  ~LogDir();
  LogDir(const LogDir&) = delete;
  LogDir& operator=(const LogDir&) = delete;

  Status Open();
  // Appends bytes of one line (or a piece of one); the 2000-byte rule is
  // applied when data ends with '\n'.
  void Append(std::string_view data);
  void Flush();
  // Ends current now if it is non-empty.
  void Rotate();
  // Flushes, fsyncs current and gives it mode 0744.
  void Close();

  const std::string& path() const { return settings_.path; }

 private:
  void AppendPiece(const char* p, size_t n);
  void FullCurrent();
  void OpenCurrent();
  void Recover();
  void FsyncDirectoryFd();
  void FinishPrevious();
  bool RunProcessor();
  void RemoveOldArchives();
  std::string NewArchiveName(char suffix);
  void Complain(std::string_view what);
  void CheckSys(int rc, std::string_view what);

  DirectorySettings settings_;
  Pauser* pauser_;
  UniqueFd dir_fd_;
  UniqueFd lock_fd_;
  UniqueFd current_fd_;
  size_t bytes_ = 0;  // bytes in current, counting the buffered ones
  std::unique_ptr<char[]> buffer_;
  size_t buffered_ = 0;
  Tai64n last_stamp_;
};

}  // namespace yubin::multilog

#endif  // YUBIN_LIB_MULTILOG_LOG_DIR_H_
