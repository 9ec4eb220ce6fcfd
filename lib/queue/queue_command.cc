#include "lib/queue/queue_command.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

Status CheckSetuidQueue(const std::string& queue_dir, uid_t owner) {
  struct stat st;
  if (::lstat(queue_dir.c_str(), &st) != 0) {
    return Status::FromErrno("unable to stat " + queue_dir, errno);
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != owner || (st.st_mode & 077) != 0) {
    return Status::Permanent(
        queue_dir + " is not a queue of this program's owner (uid " +
        std::to_string(owner) + ", mode 0700): refusing to write there "
        "set-user-id");
  }
  return Status::Ok();
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

  // Installed set-user-id to the queue owner (a root installation), the
  // caller chooses YUBIN_ROOT: write only into a real queue of that owner,
  // and leave the testing hook off.
  const bool set_user_id = ::getuid() != ::geteuid();
  const std::string queue_dir = QueueDir(YubinRoot());
  if (set_user_id) {
    if (Status s = CheckSetuidQueue(queue_dir, ::geteuid()); !s.ok()) {
      Fatal(kQueueNoQueueDir, s.message());
    }
  }
  time_t now = ::time(nullptr);
  EnqueueRequest request{
      .queue_dir = queue_dir,
      .received_line = FormatReceivedLine(::getpid(), ::getuid(), now),
      .uid = ::getuid(),
      .pid = ::getpid(),
      .birth = static_cast<int64_t>(now),
      .crash_before_step = set_user_id ? 0 : CrashStepFromEnvironment(),
  };
  EnqueueResult result = Enqueue(0, 1, request);
  if (result.exit_code != kQueueOk) Fatal(result.exit_code, result.error);
  // The message is queued whatever becomes of this line: a write error
  // must not turn the answer into a failure.
  if (ReportIdFromEnvironment()) (void)WriteAll(2, QueuedLine(result.id));
  return kQueueOk;
}

}  // namespace yubin::queue
