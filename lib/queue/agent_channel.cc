// agent_channel.cc: see agent_channel.h.
#include "lib/queue/agent_channel.h"

#include "lib/queue/passed_fds.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace yubin::queue {
namespace {

// Room for the largest batch's descriptors.
constexpr size_t kControlBytes = CMSG_SPACE(kMaxChannelMessages * sizeof(int));

// A message of one data buffer and a control buffer.
struct Packet {
  struct iovec iov;
  struct msghdr msg = {};
  Packet(void* data, size_t size, void* control, size_t control_size) : iov{data, size} {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = control_size;
  }
  Packet(const Packet&) = delete;
  Packet& operator=(const Packet&) = delete;
};

}  // namespace

Status SendBatch(int fd, const Delivery& delivery, const std::vector<int>& message_fds) {
  if (delivery.empty() || message_fds.empty() || message_fds.size() > kMaxChannelMessages ||
      message_fds.size() != MessagesOf(delivery).size()) {
    return Status::Permanent("not a batch the channel carries");
  }
  std::string payload;
  for (const DeliveryRequest& r : delivery) payload += FormatRequest(r);
  if (payload.size() > kMaxChannelBatchBytes) {
    return Status::Permanent("batch larger than the channel carries");
  }
  alignas(struct cmsghdr) char control[kControlBytes] = {};
  Packet p(payload.data(), payload.size(), control, CMSG_SPACE(message_fds.size() * sizeof(int)));
  struct msghdr& msg = p.msg;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(message_fds.size() * sizeof(int));
  std::memcpy(CMSG_DATA(c), message_fds.data(), message_fds.size() * sizeof(int));
  for (;;) {
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(payload.size())) return Status::Ok();
    if (n < 0 && errno == EINTR) continue;
    return Status::FromErrno("send a batch to the delivery", n < 0 ? errno : EMSGSIZE);
  }
}

Result<std::optional<ChannelBatch>> ReceiveBatch(int fd) {
  std::string payload(kMaxChannelBatchBytes + 1, '\0');
  alignas(struct cmsghdr) char control[kControlBytes] = {};
  Packet p(payload.data(), payload.size(), control, sizeof control);
  struct msghdr& msg = p.msg;
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::FromErrno("receive a batch", errno);
  ChannelBatch batch;
  batch.messages = PassedFds(msg);
  if (n == 0 && batch.messages.empty()) return std::optional<ChannelBatch>();
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
    return Status::Permanent("a batch larger than the channel carries");
  }
  RecordParser parser(kRequestFields);
  parser.Feed(std::string_view(payload.data(), static_cast<size_t>(n)));
  while (auto rec = parser.Next()) {
    std::optional<DeliveryRequest> r = ParseRequest(*rec);
    if (!r) return Status::Permanent("a malformed request in a batch");
    batch.delivery.push_back(std::move(*r));
  }
  if (parser.failed() || parser.partial() || batch.delivery.empty() ||
      MessagesOf(batch.delivery).size() != batch.messages.size()) {
    return Status::Permanent("a malformed batch");
  }
  return std::optional<ChannelBatch>(std::move(batch));
}

int PlaceChildDescriptors(const std::vector<int>& messages, int channel) {
  const int placed = 3 + (messages.size() > 1 ? static_cast<int>(messages.size()) : 0);
  // Everything first goes above the whole range, so no dup2 overwrites a
  // descriptor still to be placed.
  int high_channel = -1;
  if (channel >= 0) {
    high_channel = fcntl(channel, F_DUPFD_CLOEXEC, placed + 1);
    if (high_channel < 0) return kPlacingFailed;
  }
  if (messages.size() > 1) {
    std::vector<int> high;
    for (int m : messages) {
      int fd = fcntl(m, F_DUPFD_CLOEXEC, placed + 1);
      if (fd < 0) return kPlacingFailed;
      high.push_back(fd);
    }
    for (size_t k = 0; k < high.size(); ++k) {
      if (dup2(high[k], 3 + static_cast<int>(k)) < 0) return kPlacingFailed;
    }
  }
  if (high_channel < 0) return -1;
  if (dup3(high_channel, placed, O_CLOEXEC) < 0) return kPlacingFailed;
  return placed;
}

namespace {

Status SendChannelBytes(int fd, const char* bytes, size_t size) {
  for (;;) {
    ssize_t n = send(fd, bytes, size, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(size)) return Status::Ok();
    if (n < 0 && errno == EINTR) continue;
    return Status::FromErrno("write to the delivery service", n < 0 ? errno : EPIPE);
  }
}

}  // namespace

Status SendChannelByte(int fd, char byte) { return SendChannelBytes(fd, &byte, 1); }

Status SendChannelIdle(int fd, int exit_code) {
  const char bytes[2] = {kChannelIdle, static_cast<char>(exit_code & 0xff)};
  return SendChannelBytes(fd, bytes, sizeof bytes);
}

}  // namespace yubin::queue
