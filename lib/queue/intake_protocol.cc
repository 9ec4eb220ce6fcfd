// intake_protocol.cc: see intake_protocol.h.
#include "lib/queue/intake_protocol.h"

#include "lib/queue/passed_fds.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace yubin::queue {

std::string IntakeDir(const std::string& root) { return root + "/intake"; }

std::string IntakeSocketPath(const std::string& root) {
  return IntakeDir(root) + "/intake.sock";
}

Status ConnectIntake(const std::string& socket_path, UniqueFd* sock) {
  struct sockaddr_un sa = {};
  sa.sun_family = AF_UNIX;
  std::string path = socket_path;
  UniqueFd dir;
  if (path.size() >= sizeof sa.sun_path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return Status::Temporary("socket name too long: " + path);
    const std::string dir_name = slash == 0 ? "/" : path.substr(0, slash);
    dir = UniqueFd(OpenRetry(dir_name.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return Status::FromErrno("open " + dir_name, errno);
    path = "/proc/self/fd/" + std::to_string(dir.get()) + path.substr(slash);
    if (path.size() >= sizeof sa.sun_path) {
      return Status::Temporary("socket name too long: " + socket_path);
    }
  }
  path.copy(sa.sun_path, sizeof sa.sun_path - 1);
  // Non-blocking: a service whose listen queue is full (overloaded, or
  // stalled by clients that never finish) answers EAGAIN at once, and the
  // caller runs yubin-queue instead of waiting.
  UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.valid()) return Status::FromErrno("socket", errno);
  while (connect(s.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINTR) return Status::FromErrno("connect " + socket_path, errno);
  }
  if (Status st = SetNonBlocking(s.get(), false); !st.ok()) return st;
  *sock = std::move(s);
  return Status::Ok();
}

namespace {

// One byte and room for up to kRoom descriptors, as sendmsg and recvmsg
// take them. Room for more than two on receipt, so that extra descriptors
// arrive (and are closed) instead of being cut off silently.
struct OneByteWithFds {
  static constexpr size_t kRoom = 8;
  char byte = kInjectionByte;
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(kRoom * sizeof(int))] = {};
  struct msghdr msg = {};

  explicit OneByteWithFds(size_t fds) {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(fds * sizeof(int));
  }
  OneByteWithFds(const OneByteWithFds&) = delete;
  OneByteWithFds& operator=(const OneByteWithFds&) = delete;
};

}  // namespace

Status SendInjectionFds(int sock, int message_fd, int envelope_fd) {
  OneByteWithFds out(2);
  struct msghdr& msg = out.msg;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(2 * sizeof(int));
  const int fds[2] = {message_fd, envelope_fd};
  std::memcpy(CMSG_DATA(c), fds, sizeof fds);
  for (;;) {
    ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n == 1) return Status::Ok();
    if (n < 0 && errno == EINTR) continue;
    return Status::FromErrno("send to the intake service", n < 0 ? errno : EPIPE);
  }
}

Status ReceiveInjectionFds(int sock, UniqueFd* message_fd, UniqueFd* envelope_fd) {
  OneByteWithFds in(OneByteWithFds::kRoom);
  in.byte = 0;
  struct msghdr& msg = in.msg;
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::FromErrno("receive the injection", errno);
  std::vector<UniqueFd> got = PassedFds(msg);
  if (n != 1 || in.byte != kInjectionByte || got.size() != 2 ||
      (msg.msg_flags & MSG_CTRUNC) != 0) {
    return Status::Permanent("not an injection request (one 'Q' with two descriptors)");
  }
  *message_fd = std::move(got[0]);
  *envelope_fd = std::move(got[1]);
  return Status::Ok();
}

std::string FormatIntakeReply(int code, std::string_view text) {
  std::string line = std::to_string(code) + " ";
  const size_t room = kMaxIntakeReplyBytes - 1 - line.size();
  for (char c : text.substr(0, room)) {
    line.push_back(static_cast<unsigned char>(c) < 32 || c == 127 ? ' ' : c);
  }
  line.push_back('\n');
  return line;
}

bool ParseIntakeReply(std::string_view line, int* code, std::string* text) {
  if (line.size() >= kMaxIntakeReplyBytes) return false;
  size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 3) return false;
  int value = 0;
  for (char c : line.substr(0, space)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  if (value > 255) return false;
  *code = value;
  *text = std::string(line.substr(space + 1));
  return true;
}

}  // namespace yubin::queue
