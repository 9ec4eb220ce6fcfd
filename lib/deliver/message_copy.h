// message_copy.h: copies a stored message into a mailbox or a pipe.
//
//   // fd holds the message (seekable); out is a mailbox being written.
//   BufferedWriter out(mbox_fd);
//   Status s = CopyMessage(message_fd, &out, MboxQuoting::kQuoteFrom);
//   if (s.ok()) s = out.Flush();
//
// The message fd is rewound to offset 0 first, so one stored message can be
// copied to several destinations. With kQuoteFrom every line matching
// `>*From ` gets one more '>' (mboxrd quoting) and a last line without '\n'
// is terminated. Fails with a temporary status on a read or write error.
#ifndef YUBIN_LIB_DELIVER_MESSAGE_COPY_H_
#define YUBIN_LIB_DELIVER_MESSAGE_COPY_H_

#include "lib/base/buffered_io.h"
#include "lib/base/status.h"

namespace yubin::deliver {

enum class MboxQuoting { kNone, kQuoteFrom };

Status CopyMessage(int message_fd, BufferedWriter* out, MboxQuoting quoting);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_MESSAGE_COPY_H_
