// intake_protocol.h: how a program hands a message to the intake service
// (yubin-intake, intake_server.h) instead of running yubin-queue.
//
//   UniqueFd sock = ...connect to IntakeSocketPath(YubinRoot())...;
//   SendInjectionFds(sock.get(), message_read_end, envelope_read_end);
//   ...write the message and the envelope into the pipes, close them...
//   read one line: FormatIntakeReply's "CODE TEXT\n"
//
// The client makes two pipes exactly as for yubin-queue (the message goes
// into one, the envelope into the other) and passes their read ends over
// the unix socket ROOT/intake/intake.sock with one byte 'Q' (SCM_RIGHTS);
// the service reads them as yubin-queue reads fds 0 and 1 and answers one
// line: qmail-queue's exit code, a space, and the message id (code 0) or
// what went wrong. A connection closed without that line counts as exit 81
// (temporary). The service learns who injects (uid and pid, for the
// Received line and the envelope's injector records) from SO_PEERCRED.
#ifndef YUBIN_LIB_QUEUE_INTAKE_PROTOCOL_H_
#define YUBIN_LIB_QUEUE_INTAKE_PROTOCOL_H_

#include <string>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::queue {

inline constexpr char kInjectionByte = 'Q';
// A reply line is at most this long, its newline included.
inline constexpr size_t kMaxIntakeReplyBytes = 512;

// ROOT/intake: the service's public directory (owned by the queue's owner,
// mode 0755), and the socket in it (mode 0666: anyone may inject, as anyone
// may run yubin-queue).
std::string IntakeDir(const std::string& root);
std::string IntakeSocketPath(const std::string& root);

// A connected (blocking) socket to socket_path; fails at once, without
// waiting, when the service's listen queue is full. A path too long for
// sockaddr_un (a deep root) is reached through /proc/self/fd/N/NAME, N its
// directory.
Status ConnectIntake(const std::string& socket_path, UniqueFd* sock);

Status SendInjectionFds(int sock, int message_fd, int envelope_fd);
// Exactly one 'Q' with exactly two descriptors, else a failure (and every
// descriptor that came along is closed).
Status ReceiveInjectionFds(int sock, UniqueFd* message_fd, UniqueFd* envelope_fd);

// "CODE TEXT\n", TEXT's control characters made spaces and cut so that the
// line fits in kMaxIntakeReplyBytes.
std::string FormatIntakeReply(int code, std::string_view text);
// Reverse of FormatIntakeReply for one line (without its newline); false
// when it is not one (code outside 0-255, no space, too long).
bool ParseIntakeReply(std::string_view line, int* code, std::string* text);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_INTAKE_PROTOCOL_H_
