// maildir.h: delivery of one message into a Maildir.
//
//   Result<std::string> r = DeliverToMaildir(
//       "/home/kim/Maildir/", "Return-Path: <a@b>\nDelivered-To: kim@x\n", fd);
//   if (!r.ok()) return r.status();       // temporary: retry later
//   // *r is the new file's path under new/.
//
// Steps: create tmp/<unique> with O_EXCL, write the header lines then the
// message, then CommitFile (fsync, link into new/, fsync new/, remove the tmp
// name). Success is returned only once the message is durable in new/. Every
// failure is temporary (the Maildir may be fixed and the delivery retried);
// a partly written tmp file is removed. The message fd must be seekable.
#ifndef YUBIN_LIB_DELIVER_MAILDIR_H_
#define YUBIN_LIB_DELIVER_MAILDIR_H_

#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::deliver {

// Files are created with this mode (before the umask).
inline constexpr int kMaildirFileMode = 0600;

// maildir may end in '/' or not. header_lines is written first, as is.
Result<std::string> DeliverToMaildir(const std::string& maildir,
                                     std::string_view header_lines,
                                     int message_fd);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_MAILDIR_H_
