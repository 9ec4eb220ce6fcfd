// mbox.h: delivery of one message by appending to an mbox file.
//
//   Status s = DeliverToMbox("/var/mail/kim", "a@b.example",
//                            "Return-Path: <a@b.example>\n...", fd);
//
// Opens (creating with mode 0600) with O_APPEND, takes flock(2) and an
// fcntl(2) write lock on the whole file (waiting for other writers, at most
// kMboxLockTimeoutSeconds), then writes `From <sender> <asctime>`, the header
// lines and the message with mboxrd `>From ` quoting, a blank line, and
// fsyncs. On any failure after the lock the file is truncated back to its old
// size, so a reader never sees half a message. Every failure is temporary.
// An empty sender is written as MAILER-DAEMON. The message fd must be seekable.
#ifndef YUBIN_LIB_DELIVER_MBOX_H_
#define YUBIN_LIB_DELIVER_MBOX_H_

#include <ctime>
#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::deliver {

inline constexpr int kMboxFileMode = 0600;
inline constexpr unsigned kMboxLockTimeoutSeconds = 30;

// "From sender Sat Nov 28 04:02:23 2026\n" for the given time (UTC).
std::string MboxFromLine(std::string_view sender, time_t when);

Status DeliverToMbox(const std::string& path, std::string_view sender,
                     std::string_view header_lines, int message_fd);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_MBOX_H_
