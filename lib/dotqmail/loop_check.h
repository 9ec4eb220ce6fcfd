// loop_check.h: Delivered-To loop detection.
//
//   Result<bool> r = HasDeliveredTo(message_fd, "kim@example.org");
//   if (r.ok() && *r) return Status::Permanent(kLoopMessage);
//
// Reads the message header (up to the first empty line, at most
// kMaxHeaderScanBytes) and looks for a `Delivered-To:` line whose value
// equals the address, both compared without case and surrounding blanks.
// A read error is a temporary failure. The fd is rewound first.
#ifndef YUBIN_LIB_DOTQMAIL_LOOP_CHECK_H_
#define YUBIN_LIB_DOTQMAIL_LOOP_CHECK_H_

#include <string_view>

#include "lib/base/status.h"

namespace yubin::dotqmail {

inline constexpr size_t kMaxHeaderScanBytes = 1 << 20;
inline constexpr char kLoopMessage[] =
    "This message is looping: it already has my Delivered-To line. (#5.4.6)";

Result<bool> HasDeliveredTo(int message_fd, std::string_view address);

}  // namespace yubin::dotqmail

#endif  // YUBIN_LIB_DOTQMAIL_LOOP_CHECK_H_
