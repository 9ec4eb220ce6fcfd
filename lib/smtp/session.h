// session.h: the SMTP server protocol as a pure state machine.
//
//   Session s(config);
//   write(s.Greeting());
//   for each line read up to '\n':
//     Reply r = s.OnCommandLine(line);
//     write(r.text);
//     if (r.action == Action::kStartData) {
//       bool started = StartQueueProgram();
//       write(s.OnDataStart(started).text);      // 354, or 451
//       ... feed the body through a DataDecoder, after s.ReceivedHeader() ...
//       write(s.OnDataEnd(decoder.result(), queue_outcome).text);
//     }
//     if (r.action == Action::kClose) break;
//
// No I/O, no clock, no environment: everything comes in through
// SessionConfig and the calls, so every reply can be tested directly. Every
// reply but the greeting and the EHLO/HELO answers carries an RFC 3463
// enhanced status code (RFC 2034 leaves those two without one). More than
// kMaxErrors rejected commands end the session with 421.
#ifndef YUBIN_LIB_SMTP_SESSION_H_
#define YUBIN_LIB_SMTP_SESSION_H_

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"
#include "lib/control/smtpd_control.h"
#include "lib/queue/queue_client.h"
#include "lib/smtp/command.h"
#include "lib/smtp/data_decoder.h"

namespace yubin::smtp {

inline constexpr int kMaxErrors = 10;
inline constexpr uint64_t kMaxSizeParam = uint64_t{1} << 40;

struct SessionConfig {
  const control::SmtpdControl* control = nullptr;  // must outlive the session
  bool relay_client = false;  // $RELAYCLIENT is set
  std::string remote_ip;      // $TCPREMOTEIP
  std::string remote_host;    // $TCPREMOTEHOST
  std::string local_ip;       // $TCPLOCALIP
  // Whether a local part has a mailbox, for recipients in control/locals
  // domains: false gives 550 5.1.1 at RCPT; an error (cannot tell) accepts
  // and leaves it to delivery. Unset: every local recipient is accepted.
  std::function<Result<bool>(std::string_view local)> has_mailbox;
};

enum class Action {
  kNone,
  kStartData,  // start the queue program, then call OnDataStart
  kClose,      // write the reply, then end the connection
};

struct Reply {
  std::string text;  // one or more CRLF-terminated lines; may be empty
  Action action = Action::kNone;
};

// What became of the queue program after DATA (lib/queue/queue_client.h).
using queue::QueueOutcome;

class Session {
 public:
  explicit Session(SessionConfig config);

  std::string Greeting() const;
  Reply OnCommandLine(std::string_view line);  // without its '\n'
  // A command line over kMaxCommandLineBytes, read and dropped to its end.
  Reply OnLineTooLong();
  Reply OnTimeout() const;     // idle too long: 421 and close
  Reply OnEarlyTalk() const;   // spoke before the greeting: 554 and close

  Reply OnDataStart(bool queue_started);
  // "Received: ..." lines (LF-terminated) to put in front of the message.
  std::string ReceivedHeader(time_t now, std::string_view id) const;
  Reply OnDataEnd(const DataResult& data, const QueueOutcome& queue);

  const std::string& sender() const { return sender_; }
  const std::vector<std::string>& recipients() const { return recipients_; }
  uint64_t max_message_bytes() const { return config_.control->databytes; }
  bool in_data() const { return state_ == State::kData; }
  int errors() const { return errors_; }

 private:
  enum class State { kStart, kReady, kMail, kRcpt, kData, kClosed };
  Reply Error(std::string text);
  Reply Ok(std::string text) const;
  Reply Helo(const Command& cmd, bool extended);
  Reply Mail(const Command& cmd);
  Reply Rcpt(const Command& cmd);
  Reply Data(const Command& cmd);
  void ResetTransaction();
  bool RecipientDomainAccepted(std::string_view domain, bool literal) const;

  SessionConfig config_;
  State state_ = State::kStart;
  int errors_ = 0;
  std::string helo_;
  bool esmtp_ = false;
  std::string sender_;
  std::vector<std::string> recipients_;
};

// The reply for a queue program's exit code, as qmail-smtpd gives it:
// 0 accepted, 11-40 and 91 permanent (554), anything else temporary (451).
std::string QueueExitReply(int exit_code, std::string_view ok_text);

}  // namespace yubin::smtp

#endif  // YUBIN_LIB_SMTP_SESSION_H_
