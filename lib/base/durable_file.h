// durable_file.h: the one place that knows how a file becomes durable.
//
//   // Whole small file, e.g. a control file or a cdb:
//   Status s = WriteFileDurably("control/me", "mail.example.com\n", 0644);
//
//   // Streamed file that another name publishes, e.g. a queue entry:
//   Status s = CommitFile(fd, "queue/tmp/123", "queue/mess/7/123",
//                         CommitMode::kLink);
//
// The order is always: write, fsync the file, rename (or link) into place,
// fsync the directory that holds the new name. Only after the last step may
// a caller acknowledge. A failed fsync is reported as a temporary failure and
// never retried into a success (the kernel may have dropped the dirty pages).
#ifndef YUBIN_LIB_BASE_DURABLE_FILE_H_
#define YUBIN_LIB_BASE_DURABLE_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin {

enum class CommitMode {
  kRename,  // rename(tmp, final): replaces an existing final name
  kLink,    // link(tmp, final) then unlink(tmp): fails if final exists
};

// fsync(2) of a directory, so that names created or removed in it persist.
Status FsyncDirectory(const std::string& dir);

// syncfs(2) of the file system that holds dir: every write, new name and
// removal on it so far is durable when it returns ok. For group commits,
// where one call replaces an fsync of each file and each directory; an
// error (any writeback failure on that file system since the last call)
// fails the whole group.
Status SyncFileSystem(const std::string& dir);

// The directory part of a path ("." when it has none).
std::string DirectoryOf(std::string_view path);

// Publishes the already-written file open at fd under final_path:
// fsync(fd), rename or link tmp_path to final_path, fsync the directory of
// final_path (and, for kLink, remove tmp_path afterwards). The caller still
// owns fd.
Status CommitFile(int fd, const std::string& tmp_path,
                  const std::string& final_path, CommitMode mode);

// Writes content to path with the given mode so that a reader sees either the
// old file or the whole new one, and the new one survives a crash once this
// returns ok. The temporary name is path + ".tmp<pid>" in the same directory;
// it is removed on failure.
Status WriteFileDurably(const std::string& path, std::string_view content,
                        mode_t mode);

// The same without fsyncs: atomic for readers (rename), not crash-durable.
// For files rewritten often whose loss in a crash is harmless, like a
// supervisor's status record.
Status WriteFileAtomically(const std::string& path, std::string_view content,
                           mode_t mode);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_DURABLE_FILE_H_
