// agent_channel.h: the channel between a delivery service and a child it
// keeps for more batches: yubin-rspawn's remote deliveries (a child whose
// SMTP connection is still open waits for the next batch for the same
// domain instead of quitting) and yubin-lspawn's local ones (a child that
// became the recipient waits for the next message to the same address).
//
//   int sv[2]; socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
//   // server: SendBatch(sv[0], delivery, fds);  child: ReceiveBatch(sv[1])
//   // child:  SendChannelByte(sv[1], kChannelIdle);
//
// It is a SOCK_SEQPACKET socket pair, so every send is one packet:
//   child -> server, one byte (or two):
//     kChannelIdle ('I')    the batch it was given is done: every report is
//                           already in its output pipe; it can take another.
//                           A second byte is the batch's exit code, for a
//                           service whose result is the exit code (local)
//     kChannelLeaving ('X') it takes no more batches (its connection is
//                           gone); the server closes its end, and the child
//                           still delivers any batch that crossed this byte,
//                           then exits at end of file
//   server -> child, one packet per batch: the batch's requests as request
//     records (delivery_records.h), with the batch's messages attached as
//     descriptors (SCM_RIGHTS), one per message in the order of MessagesOf.
// A batch that does not fit in kMaxChannelBatchBytes or has more than
// kMaxChannelMessages messages is not sent this way (SendBatch fails and the
// server starts a new child).
#ifndef YUBIN_LIB_QUEUE_AGENT_CHANNEL_H_
#define YUBIN_LIB_QUEUE_AGENT_CHANNEL_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/queue/delivery_records.h"

namespace yubin::queue {

inline constexpr char kChannelIdle = 'I';
inline constexpr char kChannelLeaving = 'X';
inline constexpr size_t kMaxChannelBatchBytes = 65536;
inline constexpr size_t kMaxChannelMessages = kMaxDeliveryRequests;

struct ChannelBatch {
  Delivery delivery;
  std::vector<UniqueFd> messages;  // in the order of MessagesOf(delivery)
};

// Sends one batch; message_fds[k] is message k of MessagesOf(delivery).
Status SendBatch(int fd, const Delivery& delivery, const std::vector<int>& message_fds);

// Blocks for the next batch: nullopt at end of file (the server closed its
// end); an error status for a read error or a malformed packet.
Result<std::optional<ChannelBatch>> ReceiveBatch(int fd);

// In a delivery's forked child: message k of a delivery with several on
// descriptor 3 + k (one message stays where it is: the caller puts it on
// 0), then the channel (when >= 0) on the next descriptor, close-on-exec.
// Returns the channel's new descriptor, -1 without one, kPlacingFailed
// when a dup fails. Any of the given descriptors may already sit where
// another is to go.
inline constexpr int kPlacingFailed = -2;
int PlaceChildDescriptors(const std::vector<int>& messages, int channel);

Status SendChannelByte(int fd, char byte);
// kChannelIdle with the batch's exit code (0 to 255).
Status SendChannelIdle(int fd, int exit_code);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_AGENT_CHANNEL_H_
