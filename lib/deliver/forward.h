// forward.h: re-injects a message for forwarding addresses through the
// qmail-queue interface (message on fd 0, envelope on fd 1).
//
//   Status s = InjectMessage(QueueProgram(), "kim-owner@example.org",
//                            {"admin@example.com"}, "Delivered-To: kim@x\n",
//                            message_fd);
//
// The envelope is `F<sender>\0`, `T<recipient>\0` for each, then `\0`.
// Exit 0 = queued. Exit 11, 31 and 91 are permanent failures (address too
// long, refused, bad envelope); every other exit, a signal or a failure to
// start is temporary. An address over kMaxForwardAddress bytes or holding a
// NUL or newline is refused (permanent) before anything runs.
#ifndef YUBIN_LIB_DELIVER_FORWARD_H_
#define YUBIN_LIB_DELIVER_FORWARD_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::deliver {

inline constexpr size_t kMaxForwardAddress = 1003;

// $QMAILQUEUE when set and not empty, else `yubin-queue` in the directory of
// the running executable (/proc/self/exe).
std::string QueueProgram();

// The envelope bytes for the qmail-queue interface.
std::string QmailQueueEnvelope(std::string_view sender,
                               const std::vector<std::string>& recipients);

// What a qmail-queue exit code means, for failure text.
std::string QmailQueueExitText(int exit_code);

Status InjectMessage(const std::string& queue_program, std::string_view sender,
                     const std::vector<std::string>& recipients,
                     std::string_view header_lines, int message_fd);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_FORWARD_H_
