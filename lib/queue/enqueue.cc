#include "lib/queue/enqueue.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <memory>

#include "lib/base/boot_id.h"
#include "lib/base/crc32c.h"
#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/queue/envelope.h"
#include "lib/queue/spare_files.h"
#include "lib/queue/trigger.h"

namespace yubin::queue {
namespace {

// Bytes copied per read(2)/write(2) of the message and envelope.
constexpr size_t kCopyBufferSize = 64 * 1024;

// Errors that mean "the disk could not take the data" rather than "the queue
// directory is broken": reported as write errors (53).
bool IsWriteErrno(int err) {
  return err == ENOSPC || err == EDQUOT || err == EIO || err == EROFS;
}

// read(2) that waits at most until deadline (CLOCK_MONOTONIC seconds; 0:
// forever, a plain blocking read); past it, -1 with errno ETIMEDOUT. With a
// deadline fd is non-blocking (Enqueue makes it so): data already there is
// read at once, and poll(2) waits only when there is none.
ssize_t ReadBefore(int fd, char* buf, size_t size, time_t deadline) {
  if (deadline == 0) return ReadRetry(fd, buf, size);
  for (;;) {
    const ssize_t n = ReadRetry(fd, buf, size);
    if (n >= 0 || errno != EAGAIN) return n;
    struct timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec >= deadline) {
      errno = ETIMEDOUT;
      return -1;
    }
    struct pollfd p = {fd, POLLIN, 0};
    const time_t left = deadline - now.tv_sec;
    const int wait_ms = left > 3600 ? 3600 * 1000 : static_cast<int>(left * 1000);
    if (::poll(&p, 1, wait_ms) < 0 && errno != EINTR) return -1;
  }
}

// Ok when fd holds exactly size bytes and path names the same file: what
// an injection wrote is what it is about to link or commit. A failure
// means someone else changed or replaced the file under us (never expected;
// checked so that it shows as a temporary failure, not a silent loss).
Status CheckOwnFile(int fd, const std::string& path, off_t size) {
  struct stat by_fd, by_path;
  if (::fstat(fd, &by_fd) != 0) return Status::FromErrno("fstat " + path, errno);
  if (::stat(path.c_str(), &by_path) != 0) return Status::FromErrno("stat " + path, errno);
  if (by_fd.st_dev != by_path.st_dev || by_fd.st_ino != by_path.st_ino) {
    return Status::Temporary(path + " is no longer the file written (inode " +
                             std::to_string(by_fd.st_ino) + ", now " +
                             std::to_string(by_path.st_ino) + ")");
  }
  if (by_fd.st_size != size) {
    return Status::Temporary(path + " holds " + std::to_string(by_fd.st_size) +
                             " bytes, " + std::to_string(size) + " were written");
  }
  return Status::Ok();
}

class Injection {
 public:
  explicit Injection(const EnqueueRequest& request) : request_(request) {}
  ~Injection() { RemoveUncommitted(); }

  EnqueueResult Run(int message_fd, int envelope_fd);

 private:
  bool TakeSpareFile(const std::string& target) {
    return request_.take_spare ? request_.take_spare(target)
                               : TakeSpare(request_.queue_dir, target);
  }
  void CrashPoint(EnqueueStep step) const {
    if (request_.crash_before_step == static_cast<int>(step)) {
      ::raise(SIGKILL);
    }
  }
  EnqueueResult Fail(int code, std::string error) {
    return EnqueueResult{.exit_code = code, .error = std::move(error),
                         .id = id_};
  }
  EnqueueResult FailErrno(int code, const std::string& what, int err) {
    return Fail(code, Status::FromErrno(what, err).message());
  }
  EnqueueResult FailRead(const std::string& what, int err) {
    return FailErrno(err == ETIMEDOUT ? kQueueTimeout : kQueueReadError, what, err);
  }
  // Undoes a failed injection: the envelope first, the content last, so an
  // id never appears in intd/ without its mess/ file.
  void RemoveUncommitted() {
    if (committed_) return;
    if (!intd_path_.empty()) ::unlink(intd_path_.c_str());
    if (!mess_path_.empty()) ::unlink(mess_path_.c_str());
    if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
  }
  EnqueueResult CopyMessage(int message_fd, int out);
  EnqueueResult CopyEnvelope(int envelope_fd, int out);

  const EnqueueRequest& request_;
  MessageId id_ = 0;
  off_t message_bytes_ = 0;   // written into the content file
  off_t envelope_bytes_ = 0;  // written into the envelope file
  uint32_t message_crc_ = 0;   // CRC-32C of the content file's bytes
  uint32_t envelope_crc_ = 0;  // of the envelope file's, before its check record
  bool committed_ = false;
  std::string tmp_path_;   // set while tmp/ holds our file
  std::string mess_path_;  // set once linked into mess/
  std::string intd_path_;  // set while intd/ holds our envelope
};

EnqueueResult Injection::CopyMessage(int message_fd, int out) {
  // Not zeroed: every byte written out was read in first.
  const std::unique_ptr<char[]> buf = std::make_unique_for_overwrite<char[]>(kCopyBufferSize);
  const std::string& received = request_.received_line;
  if (received.size() > kCopyBufferSize) {
    return Fail(kQueueInternalBug, "Received line longer than the buffer");
  }
  size_t used = received.copy(buf.get(), received.size());
  for (;;) {
    ssize_t n = ReadBefore(message_fd, buf.get() + used, kCopyBufferSize - used,
                           request_.read_deadline);
    if (n < 0) return FailRead("read message", errno);
    used += static_cast<size_t>(n);
    if (n == 0 || used == kCopyBufferSize) {
      const std::string_view chunk(buf.get(), used);
      Status s = WriteAll(out, chunk);
      if (!s.ok()) return Fail(kQueueWriteError, s.Wrap("write message").message());
      message_bytes_ += static_cast<off_t>(used);
      message_crc_ = Crc32c(message_crc_, chunk);
      used = 0;
    }
    if (n == 0) return EnqueueResult{.exit_code = kQueueOk};
  }
}

EnqueueResult Injection::CopyEnvelope(int envelope_fd, int out) {
  std::string pending = FormatInjectorRecords(request_.uid, request_.pid,
                                              request_.birth);
  EnvelopeParser parser(/*collect=*/false);
  const std::unique_ptr<char[]> buf = std::make_unique_for_overwrite<char[]>(kCopyBufferSize);
  while (parser.state() == EnvelopeParser::State::kNeedMore) {
    ssize_t n = ReadBefore(envelope_fd, buf.get(), kCopyBufferSize, request_.read_deadline);
    if (n < 0) return FailRead("read envelope", errno);
    if (n == 0) return Fail(kQueueReadError, "read envelope: truncated");
    std::string_view chunk(buf.get(), static_cast<size_t>(n));
    size_t used = parser.Feed(chunk);
    pending.append(chunk.substr(0, used));
    if (pending.size() >= kCopyBufferSize) {
      Status s = WriteAll(out, pending);
      if (!s.ok()) return Fail(kQueueWriteError, s.Wrap("write envelope").message());
      envelope_bytes_ += static_cast<off_t>(pending.size());
      envelope_crc_ = Crc32c(envelope_crc_, pending);
      pending.clear();
    }
  }
  switch (parser.state()) {
    case EnvelopeParser::State::kAddressTooLong:
      return Fail(kQueueAddressTooLong, "envelope address too long");
    case EnvelopeParser::State::kBadFormat:
      return Fail(kQueueBadEnvelope, "envelope format error");
    case EnvelopeParser::State::kNeedMore:
    case EnvelopeParser::State::kDone:
      break;
  }
  envelope_crc_ = Crc32c(envelope_crc_, pending);
  // Last, what tells this file and its content whole or torn after a crash
  // of the machine (step 6 makes both durable with one sync).
  pending += FormatMessageCheck({.id = id_,
                                 .boot = CurrentBootId(),
                                 .content_bytes = static_cast<uint64_t>(message_bytes_),
                                 .content_crc = message_crc_,
                                 .envelope_crc = envelope_crc_});
  Status s = WriteAll(out, pending);
  if (!s.ok()) return Fail(kQueueWriteError, s.Wrap("write envelope").message());
  envelope_bytes_ += static_cast<off_t>(pending.size());
  return EnqueueResult{.exit_code = kQueueOk};
}

EnqueueResult Injection::Run(int message_fd, int envelope_fd) {
  const std::string& q = request_.queue_dir;
  struct stat st;
  if (::stat(q.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return FailErrno(kQueueNoQueueDir, "queue directory " + q, errno);
  }

  CrashPoint(EnqueueStep::kCreateTemp);
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::string tmp = TmpDir(q) + "/" + std::to_string(request_.pid) + "." +
                    std::to_string(now.tv_sec) + "." +
                    std::to_string(now.tv_nsec);
  // A spare file (spare_files.h) if there is one: no inode to allocate.
  const bool recycled = TakeSpareFile(tmp);
  if (recycled) tmp_path_ = tmp;
  UniqueFd mess_fd(OpenRetry(
      tmp.c_str(),
      O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (recycled ? 0 : O_CREAT | O_EXCL),
      kQueueFileMode));
  if (!mess_fd.valid()) {
    return FailErrno(IsWriteErrno(errno) ? kQueueWriteError : kQueueTmpTrouble,
                     "create " + tmp, errno);
  }
  tmp_path_ = tmp;
  // open(2) applied the umask; the queue wants exactly 0600 (a spare is a
  // queue file already).
  if ((!recycled && ::fchmod(mess_fd.get(), kQueueFileMode) != 0) ||
      ::fstat(mess_fd.get(), &st) != 0) {
    return FailErrno(kQueueTmpTrouble, "chmod/stat " + tmp, errno);
  }
  id_ = static_cast<MessageId>(st.st_ino);

  CrashPoint(EnqueueStep::kWriteMessage);
  if (EnqueueResult r = CopyMessage(message_fd, mess_fd.get());
      r.exit_code != kQueueOk) {
    return r;
  }
  // A spare was written over, not emptied: cut what it held beyond ours.
  if (recycled && ::ftruncate(mess_fd.get(), message_bytes_) != 0) {
    return FailErrno(kQueueWriteError, "truncate " + tmp, errno);
  }

  CrashPoint(EnqueueStep::kCommitMessage);
  // Named in mess/ now, made durable together with the envelope in step 6:
  // until todo/ names it, a mess/ file is invisible, and the cleanup removes
  // it if we die.
  std::string mess = MessagePath(q, QueueArea::kMess, id_);
  if (::link(tmp.c_str(), mess.c_str()) != 0) {
    return FailErrno(IsWriteErrno(errno) ? kQueueWriteError : kQueueMessTrouble,
                     "link " + tmp + " to " + mess, errno);
  }
  mess_path_ = mess;
  ::unlink(tmp.c_str());
  tmp_path_.clear();
  // Also what makes sure the tmp/ name was still ours when it was linked.
  if (Status own = CheckOwnFile(mess_fd.get(), mess, message_bytes_); !own.ok()) {
    mess_path_.clear();  // not ours to remove
    return Fail(kQueueMessTrouble, own.message());
  }

  CrashPoint(EnqueueStep::kCreateEnvelope);
  std::string intd = MessagePath(q, QueueArea::kIntd, id_);
  // A name left by a crashed injection whose inode has since been freed and
  // reused is ours now (no live injection can hold this inode's id): a
  // spare renamed over it replaces it, else it is unlinked first.
  const bool spare_envelope = TakeSpareFile(intd);
  if (spare_envelope) intd_path_ = intd;
  if (!spare_envelope) ::unlink(intd.c_str());
  UniqueFd intd_fd(OpenRetry(
      intd.c_str(),
      O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (spare_envelope ? 0 : O_CREAT | O_EXCL),
      kQueueFileMode));
  if (!intd_fd.valid()) {
    return FailErrno(IsWriteErrno(errno) ? kQueueWriteError : kQueueIntdTrouble,
                     "create " + intd, errno);
  }
  intd_path_ = intd;
  if (!spare_envelope && ::fchmod(intd_fd.get(), kQueueFileMode) != 0) {
    return FailErrno(kQueueIntdTrouble, "chmod " + intd, errno);
  }

  CrashPoint(EnqueueStep::kWriteEnvelope);
  if (EnqueueResult r = CopyEnvelope(envelope_fd, intd_fd.get());
      r.exit_code != kQueueOk) {
    return r;
  }
  if (spare_envelope && ::ftruncate(intd_fd.get(), envelope_bytes_) != 0) {
    return FailErrno(kQueueWriteError, "truncate " + intd, errno);
  }

  CrashPoint(EnqueueStep::kCommitEnvelope);
  // The commit: the rename into todo/, then one syncfs of the queue's file
  // system that makes the content, its mess/B name, the envelope and the
  // rename durable together (one device flush). A crash of the machine
  // before the sync returns may leave the rename on disk without all of
  // the rest; the message was not acknowledged then, and its check record
  // lets yubin-send tell it torn and remove it (docs/queue.md).
  std::string todo = MessagePath(q, QueueArea::kTodo, id_);
  if (request_.before_commit) request_.before_commit();
  if (Status own = CheckOwnFile(intd_fd.get(), intd, envelope_bytes_); !own.ok()) {
    intd_path_.clear();  // not ours to remove
    return Fail(kQueueIntdTrouble, own.message());
  }
  if (::rename(intd.c_str(), todo.c_str()) != 0) {
    return FailErrno(IsWriteErrno(errno) ? kQueueWriteError : kQueueTodoTrouble,
                     "rename " + intd + " to " + todo, errno);
  }
  intd_path_.clear();
  committed_ = true;
  if (Status own = CheckOwnFile(intd_fd.get(), todo, envelope_bytes_); !own.ok()) {
    // Visible, but not what we wrote: the client must not be told queued.
    return Fail(kQueueTodoTrouble, own.message());
  }
  if (Status s = request_.sync ? request_.sync() : SyncFileSystem(q); !s.ok()) {
    // The rename happened but the sync failed: the message is whole and
    // visible, and may be delivered although we answer "temporary
    // failure" (a possible duplicate, never a loss). Removing it now would
    // race with a manager that has already taken it.
    return Fail(IsWriteErrno(s.error_number()) ? kQueueWriteError : kQueueTodoTrouble,
                s.Wrap("queued, but not known to be durable").message());
  }

  CrashPoint(EnqueueStep::kPokeTrigger);
  if (request_.poke) {
    request_.poke(id_);
  } else {
    PokeTriggerFor(q, id_);
  }

  CrashPoint(EnqueueStep::kExit);
  return EnqueueResult{.exit_code = kQueueOk, .id = id_};
}

}  // namespace

EnqueueResult Enqueue(int message_fd, int envelope_fd,
                      const EnqueueRequest& request) {
  if (request.read_deadline != 0) {
    for (int fd : {message_fd, envelope_fd}) {
      if (Status s = SetNonBlocking(fd, true); !s.ok()) {
        return EnqueueResult{.exit_code = kQueueReadError, .error = s.message()};
      }
    }
  }
  Injection injection(request);
  return injection.Run(message_fd, envelope_fd);
}

}  // namespace yubin::queue
