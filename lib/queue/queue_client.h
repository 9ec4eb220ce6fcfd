// queue_client.h: running the queue program through the qmail-queue
// interface, for every program that hands mail to the queue (yubin-smtpd,
// yubin-inject, sendmail).
//
//   QueueClient q;
//   if (Status s = q.StartDefault(QueueStderr::kCapture); !s.ok())
//     return s;                        // the program could not be run
//   q.WriteMessage(header); q.WriteMessage(body_chunk); ...
//   QueueOutcome out = q.Finish(PackEnvelope(sender, recipients));
//   Status st = QueueExitStatus(out.wait_status);   // or map out.exit_code
//   // or q.Abort() when the message is refused: nothing gets queued
//
// The program gets the message on fd 0 and the envelope on fd 1
// ("F<sender>\0" "T<rcpt>\0"... "\0"); its exit code says what happened
// (QueueExitStatus). A program that cannot be executed makes Start() fail
// (the child reports its errno through a close-on-exec pipe). Its stderr is
// either shared with ours (kInherit) or captured (kCapture): then the child
// runs with YUBIN_QUEUE_REPORT_ID=1, so yubin-queue prints "queued <id>" on
// fd 2; that line is kept for QueueOutcome::queue_id and every other line is
// copied to our stderr. Writes wait in poll() together with the program's
// stderr, so a chatty program cannot deadlock us, and the message is never
// held in memory. Start() ignores SIGPIPE in this process (the child gets
// the default back), so a program that dies early shows up as its exit
// code, not as our death; and it puts an ignored SIGCHLD back to the
// default, since an ignored SIGCHLD leaves no exit code to wait for.
//
// StartDefault() picks the queue the way every yubin program does: the
// program in $QMAILQUEUE when set; else the intake service of $YUBIN_ROOT
// (yubin-intake, intake_protocol.h) when it is listening, which takes the
// same pipes over its socket and answers with the exit code and the id;
// else yubin-queue beside the running program. Through the service,
// QueueOutcome carries the code it answered (wait_status as if a program
// had exited with it), the id, and pid 0; its error text is printed on our
// stderr as "yubin-intake: what".
#ifndef YUBIN_LIB_QUEUE_QUEUE_CLIENT_H_
#define YUBIN_LIB_QUEUE_QUEUE_CLIENT_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/own_directory.h"
#include "lib/base/status.h"

namespace yubin::queue {

inline constexpr size_t kMaxQueueStderrBytes = 4096;
// The most message bytes QueueClient holds before it writes them. Small:
// yubin-smtpd's session is a fresh process, for which a bigger buffer is
// new heap to fault in page by page; with 64 KiB, 100 KB messages cost
// more in those faults than the fewer writes saved.
inline constexpr size_t kQueueWriteGather = 16 * 1024;
inline constexpr size_t kMaxQueueIdBytes = 64;
inline constexpr size_t kMaxEnvelopeRecipients = 10000;
// Set to "1" in the queue program's environment when its stderr is captured.
inline constexpr char kReportIdVariable[] = "YUBIN_QUEUE_REPORT_ID";
// What a queue program that could not be waited for counts as: exit 81
// (internal bug), temporary.
inline constexpr int kUnknownWaitStatus = 81 << 8;

// $QMAILQUEUE when set and not empty, else "yubin-queue" in OwnDirectory().
std::string QueueProgramPath();

// "F<sender>\0" then "T<rcpt>\0" for each recipient, then "\0". No checks.
std::string PackEnvelope(std::string_view sender,
                         const std::vector<std::string>& recipients);

// For callers whose addresses were not checked already: fails (permanent)
// on no recipients, more than kMaxEnvelopeRecipients, an empty recipient, an
// address with a NUL, CR or LF, or one over kMaxAddressLength (envelope.h).
Status CheckEnvelope(std::string_view sender,
                     const std::vector<std::string>& recipients);

// The meaning of the queue program's wait status: 0 ok; 11-40 and 91
// permanent (address too long, refused, envelope format); any other exit or
// a signal temporary, each with qmail-queue's wording.
Status QueueExitStatus(int wait_status);

// The id in the program's stderr output: the last line "queued <id>" with a
// printable id of at most kMaxQueueIdBytes; empty if none.
std::string FindQueueId(std::string_view err_output);

struct QueueOutcome {
  // It was started and the whole message and envelope were written, or it
  // failed anyway: a program exiting 0 without reading everything did not
  // queue our message.
  bool ran = false;
  int exit_code = -1;                    // -1 when killed by a signal
  int wait_status = kUnknownWaitStatus;  // as waitpid() gave it
  std::string queue_id;                  // "queued <id>" when captured
  int pid = 0;
};

enum class QueueStderr { kInherit, kCapture };

class QueueClient {
 public:
  QueueClient() = default;
  ~QueueClient();  // aborts a program still running
  QueueClient(const QueueClient&) = delete;
  QueueClient& operator=(const QueueClient&) = delete;

  // Temporary failure when pipes or fork fail or the program cannot be
  // executed ("unable to run the queue program PATH: <strerror>").
  Status Start(const std::string& program,
               QueueStderr stderr_mode = QueueStderr::kInherit);
  // Through the intake service listening on socket_path; a failure (no
  // such socket, nobody listening) leaves nothing started.
  Status StartIntake(const std::string& socket_path);
  // $QMAILQUEUE, else the intake service, else yubin-queue (above).
  Status StartDefault(QueueStderr stderr_mode = QueueStderr::kInherit);
  bool through_intake() const { return intake_.valid(); }
  // After the first failure (the program died, say) later writes are
  // skipped; Finish then reports the program's exit. Small writes are
  // gathered (up to kQueueWriteGather bytes) and go out together, at the
  // latest in Finish: a 1 KB message with its Received line reaches the
  // queue in one write, not one per piece.
  void WriteMessage(std::string_view data);
  bool write_failed() const { return write_failed_; }
  // Closes the message, writes the envelope, waits for the program.
  QueueOutcome Finish(std::string_view envelope);
  // Closes both pipes without an envelope and waits: the program must not
  // queue a message whose envelope never came.
  void Abort();

 private:
  bool WriteAllPolled(int fd, std::string_view data);
  void FlushMessage();
  void DrainStderr(bool until_eof);
  int Wait();  // the wait status
  int ReadIntakeReply(std::string* id);  // the wait status it stands for
  bool running() const { return pid_ > 0 || intake_.valid(); }

  pid_t pid_ = -1;
  UniqueFd message_;
  UniqueFd envelope_;
  UniqueFd stderr_;         // only with kCapture
  UniqueFd intake_;         // the intake service's socket, when used
  std::string err_output_;  // bounded by kMaxQueueStderrBytes
  std::string err_line_;    // partial line being copied to our stderr
  bool write_failed_ = false;
  std::string gathered_;  // message bytes not yet written
};

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_QUEUE_CLIENT_H_
