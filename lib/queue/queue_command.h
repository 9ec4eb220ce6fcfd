// queue_command.h: yubin-queue, the qmail-queue interface in front of Enqueue.
//
//   int main(int argc, char** argv) { return RunQueueCommand(argc, argv); }
//
// Message on fd 0, envelope on fd 1, the queue at $YUBIN_ROOT/queue. Prints
// "yubin-queue: fatal: why" on stderr (never on fd 1, which is the envelope)
// and returns qmail-queue's exit code (enqueue.h). Gives up with 52 after
// kInjectionTimeoutSeconds. With YUBIN_QUEUE_REPORT_ID=1 (set by
// QueueClient when it captures stderr, queue_client.h) it prints
// "queued <id>" as one line on fd 2 once the message is committed.
// YUBIN_QUEUE_CRASH_AT=N (a testing aid) kills the process with SIGKILL right
// before step N; unset or not a step number, it does nothing. Run
// set-user-id (root installations make it set-user-id to the queue owner),
// it writes only into a queue directory owned by its effective user with
// mode 0700 (else exit 61), and the testing aid is off.
#ifndef YUBIN_LIB_QUEUE_QUEUE_COMMAND_H_
#define YUBIN_LIB_QUEUE_QUEUE_COMMAND_H_

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "lib/base/status.h"

namespace yubin::queue {

// "Received: (yubin PID invoked by uid UID); DATE\n"
std::string FormatReceivedLine(pid_t pid, uid_t uid, time_t when);

// The step number in YUBIN_QUEUE_CRASH_AT, or 0 when unset or invalid.
int CrashStepFromEnvironment();

// True when YUBIN_QUEUE_REPORT_ID is exactly "1".
bool ReportIdFromEnvironment();

// "queued <id>\n", the line printed on fd 2 when asked to report the id.
std::string QueuedLine(uint64_t id);

// For a yubin-queue running set-user-id: ok only when queue_dir is a
// directory owned by owner with no access for group or others.
Status CheckSetuidQueue(const std::string& queue_dir, uid_t owner);

int RunQueueCommand(int argc, char** argv);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_QUEUE_COMMAND_H_
