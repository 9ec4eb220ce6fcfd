// maildir.h: delivery of one message into a Maildir.
//
//   Result<std::string> r = DeliverToMaildir(
//       "/home/kim/Maildir/", "Return-Path: <a@b>\nDelivered-To: kim@x\n", fd);
//   if (!r.ok()) return r.status();       // temporary: retry later
//   // *r is the new file's path under new/.
//
// Steps: open an unnamed file in tmp/ (O_TMPFILE), write the header lines
// then the message, fsync it, link it into new/ under a unique name (through
// /proc/self/fd), fsync new/. Success is returned only once the message is
// durable in new/. Until the link the file has no name, so a failure or a
// crash leaves nothing in tmp/ and no reader ever sees half a message; and
// concurrent deliveries do not queue on tmp/'s directory lock. Where the
// file system or kernel has no O_TMPFILE (NFS), /proc is not mounted, or
// the link through /proc fails, the classic steps run instead: create tmp/<unique> with O_EXCL, write,
// then CommitFile (fsync, link into new/, fsync new/, remove the tmp name).
// Every failure is temporary (the Maildir may be fixed and the delivery
// retried); a partly written tmp file is removed. The message fd must be
// seekable.
#ifndef YUBIN_LIB_DELIVER_MAILDIR_H_
#define YUBIN_LIB_DELIVER_MAILDIR_H_

#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::deliver {

// Files are created with this mode (before the umask).
inline constexpr int kMaildirFileMode = 0600;

// How the message waits in tmp/ while it is written: kUnnamed (falls back
// to kNamed where unsupported) or kNamed, the classic tmp/<unique> name.
enum class MaildirTemp { kUnnamed, kNamed };

// maildir may end in '/' or not. header_lines is written first, as is.
Result<std::string> DeliverToMaildir(const std::string& maildir,
                                     std::string_view header_lines,
                                     int message_fd,
                                     MaildirTemp temp = MaildirTemp::kUnnamed);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_MAILDIR_H_
