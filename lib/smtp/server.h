// server.h: yubin-smtpd's I/O loop, one SMTP session on a pair of fds.
//
//   int main() { return yubin::smtp::RunSmtpd(0, 1); }   // under tcpserver
//
// Reads the control files (ROOT/control) and the environment tcpserver and
// its rules set (TCPREMOTEIP, TCPREMOTEHOST, TCPLOCALIP, RELAYCLIENT,
// DATABYTES, GREETDELAY, QMAILQUEUE), then drives a Session: commands are
// read into a fixed buffer, replies are flushed whenever no more input is
// waiting (so pipelined commands are answered together), DATA is streamed
// through a DataDecoder into the queue program. Every wait is bounded by
// timeoutsmtpd. Returns 0 when the session ended (QUIT, the client left, a
// timeout, too many errors) and 111 when the server could not run (control
// files unreadable: the client gets 421 first).
#ifndef YUBIN_LIB_SMTP_SERVER_H_
#define YUBIN_LIB_SMTP_SERVER_H_

#include <chrono>

namespace yubin::smtp {

inline constexpr size_t kInputBufferBytes = 16384;
// How long to wait before the greeting for a client that talks too early;
// $GREETDELAY (milliseconds) overrides it, 0 turns the wait off.
inline constexpr std::chrono::milliseconds kDefaultGreetDelay{250};
inline constexpr std::chrono::milliseconds kMaxGreetDelay{60000};

// How old a copy of the control files PreloadSmtpdControl keeps at most.
inline constexpr std::chrono::milliseconds kControlCacheTime{1000};

int RunSmtpd(int in_fd, int out_fd);

// For a server that runs RunSmtpd in its forked children (tcpserver): reads
// the control files (and the host name) unless its copy is younger than
// kControlCacheTime; RunSmtpd in a child forked after it uses that copy
// instead of reading them. A copy that fails to load is not kept (the
// child reads the files itself and reports the error).
void PreloadSmtpdControl();

}  // namespace yubin::smtp

#endif  // YUBIN_LIB_SMTP_SERVER_H_
