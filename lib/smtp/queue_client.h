// queue_client.h: running the queue program through the qmail-queue interface.
//
//   QueueClient q;
//   if (!q.Start(QueueProgramPath()).ok()) reply 451;
//   q.WriteMessage(received_header); q.WriteMessage(body_chunk); ...
//   QueueOutcome out = q.Finish(PackEnvelope(sender, recipients));
//   // or q.Abort() when the message is refused: nothing gets queued
//
// The program gets the message on fd 0 and the envelope on fd 1
// ("F<sender>\0" "T<rcpt>\0"... "\0"); its exit code says what happened
// (see QueueExitReply). It may print "queued <id>" as one line on fd 2; that
// id goes into the 250 reply, other lines are copied to our stderr. Writes
// to the message pipe wait in poll() together with the program's stderr, so
// a chatty program cannot deadlock us; the whole message is never held in
// memory. SIGPIPE must be ignored by the caller.
#ifndef YUBIN_LIB_SMTP_QUEUE_CLIENT_H_
#define YUBIN_LIB_SMTP_QUEUE_CLIENT_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/smtp/session.h"

namespace yubin::smtp {

inline constexpr size_t kMaxQueueStderrBytes = 4096;
inline constexpr size_t kMaxQueueIdBytes = 64;

// $QMAILQUEUE when set and not empty, else "yubin-queue" beside our own
// executable (dirname of /proc/self/exe).
std::string QueueProgramPath();

// "F<sender>\0" then "T<rcpt>\0" for each recipient, then "\0".
std::string PackEnvelope(std::string_view sender,
                         const std::vector<std::string>& recipients);

// The id in the program's stderr output: the last line "queued <id>" with a
// printable id of at most kMaxQueueIdBytes; empty if none.
std::string FindQueueId(std::string_view err_output);

class QueueClient {
 public:
  QueueClient() = default;
  ~QueueClient();
  QueueClient(const QueueClient&) = delete;
  QueueClient& operator=(const QueueClient&) = delete;

  Status Start(const std::string& program);
  // After the first failure (the program died, say) later writes are
  // skipped; Finish then reports the program's exit.
  void WriteMessage(std::string_view data);
  bool write_failed() const { return write_failed_; }
  // Closes the message, writes the envelope, waits for the program.
  QueueOutcome Finish(std::string_view envelope);
  // Closes both pipes without an envelope and waits: the program must not
  // queue a message whose envelope never came.
  void Abort();

 private:
  bool WriteAllPolled(int fd, std::string_view data);
  void DrainStderr(bool until_eof);
  int Wait();

  pid_t pid_ = -1;
  UniqueFd message_;
  UniqueFd envelope_;
  UniqueFd stderr_;
  std::string err_output_;  // bounded by kMaxQueueStderrBytes
  std::string err_line_;    // partial line being copied to our stderr
  bool write_failed_ = false;
};

}  // namespace yubin::smtp

#endif  // YUBIN_LIB_SMTP_QUEUE_CLIENT_H_
