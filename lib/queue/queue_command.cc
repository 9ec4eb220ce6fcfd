#include "lib/queue/queue_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/base/mail_date.h"
#include "lib/base/yubin_root.h"
#include "lib/queue/cleanup.h"
#include "lib/queue/enqueue.h"
#include "lib/queue/queue_client.h"

namespace yubin::queue {
namespace {

constexpr char kCrashVariable[] = "YUBIN_QUEUE_CRASH_AT";

void OnAlarm(int) { ::_exit(kQueueTimeout); }
void OnOutOfMemory() { ::_exit(kQueueNoMemory); }

}  // namespace

std::string FormatReceivedLine(pid_t pid, uid_t uid, time_t when) {
  return "Received: (yubin " + std::to_string(pid) + " invoked by uid " +
         std::to_string(uid) + "); " + FormatMailDate(when) + "\n";
}

int CrashStepFromEnvironment() {
  const char* value = std::getenv(kCrashVariable);
  if (value == nullptr) return 0;
  int step = 0;
  for (const char* p = value; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9' || step > kEnqueueStepCount) return 0;
    step = step * 10 + (*p - '0');
  }
  return step >= 1 && step <= kEnqueueStepCount ? step : 0;
}

bool ReportIdFromEnvironment() {
  const char* value = std::getenv(kReportIdVariable);
  return value != nullptr && std::strcmp(value, "1") == 0;
}

std::string QueuedLine(uint64_t id) {
  return "queued " + std::to_string(id) + "\n";
}

int RunQueueCommand(int argc, char** argv) {
  SetProgramName(argc > 0 ? argv[0] : "yubin-queue");
  // The trigger's reader may go away mid-write; that must not kill an
  // injection that has already committed.
  ::signal(SIGPIPE, SIG_IGN);
  // qmail-queue's answer to a failed allocation: 51, temporary. Whatever
  // was written stays uncommitted and is cleaned up later.
  std::set_new_handler(OnOutOfMemory);
  ::signal(SIGALRM, OnAlarm);
  ::alarm(kInjectionTimeoutSeconds);

  time_t now = ::time(nullptr);
  EnqueueRequest request{
      .queue_dir = QueueDir(YubinRoot()),
      .received_line = FormatReceivedLine(::getpid(), ::getuid(), now),
      .uid = ::getuid(),
      .pid = ::getpid(),
      .birth = static_cast<int64_t>(now),
      .crash_before_step = CrashStepFromEnvironment(),
  };
  EnqueueResult result = Enqueue(0, 1, request);
  if (result.exit_code != kQueueOk) Fatal(result.exit_code, result.error);
  // The message is queued whatever becomes of this line: a write error
  // must not turn the answer into a failure.
  if (ReportIdFromEnvironment()) (void)WriteAll(2, QueuedLine(result.id));
  return kQueueOk;
}

}  // namespace yubin::queue
