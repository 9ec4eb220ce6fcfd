// queue_submission.h: handing a message to the queue program (qmail-queue
// interface).
//
//   QueueSubmission q;
//   if (Status s = q.Start(QueueProgramPath()); !s.ok()) return s;
//   q.WriteMessage(header); q.WriteMessage(body_line); ...
//   Status s = q.Finish(Envelope{sender, recipients});   // ok = queued
//
// The program runs with the message on its fd 0 and the envelope on its fd 1
// ("F<sender>\0" "T<rcpt>\0"... "\0"), stderr shared with ours. Its exit code
// is the answer (QueueExitStatus). If the message cannot be completed, Abort()
// closes both pipes without an envelope: a queue program must not queue a
// message whose envelope never came. Start() ignores SIGPIPE in this process
// (the child gets the default back), so a program that dies early shows up as
// its exit code, not as our death.
#ifndef YUBIN_LIB_INJECT_QUEUE_SUBMISSION_H_
#define YUBIN_LIB_INJECT_QUEUE_SUBMISSION_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::inject {

inline constexpr size_t kMaxRecipients = 10000;

struct Envelope {
  std::string sender;  // empty for the null sender <>
  std::vector<std::string> recipients;
};

// $QMAILQUEUE when set and not empty, else "yubin-queue" in the directory of
// the running executable (/proc/self/exe).
std::string QueueProgramPath();
// The directory of the running executable, with a trailing '/'; "" if unknown.
std::string OwnDirectory();

// "F<sender>\0T<rcpt>\0...\0". Fails (permanent) on an address with a NUL or
// newline, one over kMaxAddressBytes, no recipients or over kMaxRecipients.
Result<std::string> PackEnvelope(const Envelope& envelope);

// The meaning of the queue program's wait status: 0 ok; 11-40 and 91
// permanent (address too long, refused, envelope format); any other exit or
// a signal temporary, each with qmail-queue's wording.
Status QueueExitStatus(int wait_status);

class QueueSubmission {
 public:
  QueueSubmission() = default;
  ~QueueSubmission();
  QueueSubmission(const QueueSubmission&) = delete;
  QueueSubmission& operator=(const QueueSubmission&) = delete;

  Status Start(const std::string& program);
  // After a write error (the program died), later writes are skipped and
  // Finish reports the program's exit.
  void WriteMessage(std::string_view data);
  Status Finish(const std::string& packed_envelope);
  void Abort();

 private:
  int Wait();

  pid_t pid_ = -1;
  UniqueFd message_;
  UniqueFd envelope_;
  bool write_failed_ = false;
};

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_QUEUE_SUBMISSION_H_
