#include "lib/smtp/session.h"

#include <utility>

#include "lib/address/address.h"
#include "lib/base/mail_date.h"
#include "lib/control/control_file.h"

namespace yubin::smtp {
namespace {

constexpr char kCrlf[] = "\r\n";

std::string Line(std::string_view code_and_text) {
  return std::string(code_and_text) + kCrlf;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return control::AsciiLower(a) == control::AsciiLower(b);
}

std::string ParseErrorText(ParseError e) {
  switch (e) {
    case ParseError::kBareLf:
      return "500 5.5.2 bare LF in command: lines must end with CRLF";
    case ParseError::kBareCr:
      return "500 5.5.2 bare CR in command: lines must end with CRLF";
    case ParseError::kNul:
      return "500 5.5.2 NUL byte in command";
    case ParseError::kEightBit:
      return "500 5.5.2 8-bit characters are not allowed in commands";
    case ParseError::kControl:
      return "500 5.5.2 control characters are not allowed in commands";
    case ParseError::kTooLong:
      return "500 5.5.2 line too long (512 bytes at most)";
    case ParseError::kSyntax:
    case ParseError::kNone:
      break;
  }
  return "500 5.5.2 syntax error";
}

}  // namespace

std::string QueueExitReply(int exit_code, std::string_view ok_text) {
  switch (exit_code) {
    case 0:
      return Line("250 2.0.0 ok " + std::string(ok_text));
    case 11:
      return Line("554 5.1.3 envelope address too long for the queue");
    case 31:
      return Line("554 5.3.0 mail server permanently rejected message");
    case 91:
      return Line("554 5.3.0 envelope format error");
    case 51:
      return Line("451 4.3.0 queue out of memory");
    case 52:
      return Line("451 4.3.0 queue timeout");
    case 53:
      return Line("451 4.3.0 queue write error or disk full");
    case 54:
      return Line("451 4.3.0 queue read error");
    case 55:
      return Line("451 4.3.0 queue unable to read configuration");
    case 56:
      return Line("451 4.3.0 queue trouble making network connection");
    case 61:
      return Line("451 4.3.0 queue trouble in home directory");
    case 62:
    case 63:
    case 64:
    case 65:
    case 66:
      return Line("451 4.3.0 queue trouble with its files");
    case 71:
      return Line("451 4.3.0 mail server temporarily rejected message");
    case 81:
      return Line("451 4.3.0 queue internal bug");
    default:
      break;
  }
  if (exit_code >= 11 && exit_code <= 40) {
    return Line("554 5.3.0 permanent queue problem");
  }
  return Line("451 4.3.0 temporary queue problem");
}

Session::Session(SessionConfig config) : config_(std::move(config)) {}

std::string Session::Greeting() const {
  return Line("220 " + config_.control->greeting + " ESMTP");
}

Reply Session::OnLineTooLong() {
  return Error(ParseErrorText(ParseError::kTooLong));
}

Reply Session::OnTimeout() const {
  return {Line("421 4.4.2 " + config_.control->me +
               " timeout; closing connection"),
          Action::kClose};
}

Reply Session::OnEarlyTalk() const {
  return {Line("554 5.5.0 " + config_.control->me +
               " input before the greeting; closing connection"),
          Action::kClose};
}

Reply Session::Ok(std::string text) const { return {Line(text)}; }

Reply Session::Error(std::string text) {
  if (++errors_ > kMaxErrors) {
    state_ = State::kClosed;
    return {Line("421 4.7.0 " + config_.control->me +
                 " too many errors; closing connection"),
            Action::kClose};
  }
  return {Line(text)};
}

void Session::ResetTransaction() {
  sender_.clear();
  recipients_.clear();
  if (state_ != State::kStart && state_ != State::kClosed) {
    state_ = State::kReady;
  }
}

Reply Session::OnCommandLine(std::string_view line) {
  if (state_ == State::kClosed || state_ == State::kData) std::abort();
  Command cmd = ParseCommand(line);
  if (cmd.error != ParseError::kNone && cmd.error != ParseError::kSyntax) {
    return Error(ParseErrorText(cmd.error));
  }
  switch (cmd.verb) {
    case Verb::kHelo:
      return Helo(cmd, false);
    case Verb::kEhlo:
      return Helo(cmd, true);
    case Verb::kMail:
      return Mail(cmd);
    case Verb::kRcpt:
      return Rcpt(cmd);
    case Verb::kData:
      return Data(cmd);
    case Verb::kRset:
      if (!cmd.arg.empty()) return Error("501 5.5.4 RSET takes no arguments");
      ResetTransaction();
      return Ok("250 2.0.0 ok");
    case Verb::kNoop:
      return Ok("250 2.0.0 ok");
    case Verb::kQuit:
      state_ = State::kClosed;
      return {Line("221 2.0.0 " + config_.control->me + " closing connection"),
              Action::kClose};
    case Verb::kVrfy:
      if (cmd.arg.empty()) return Error("501 5.5.4 VRFY needs an argument");
      return Ok("252 2.5.2 cannot VRFY user, but will accept message and "
                "attempt delivery");
    case Verb::kHelp:
      return {"214-2.0.0 yubin-smtpd, see RFC 5321\r\n"
              "214-2.0.0 commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT\r\n"
              "214 2.0.0 VRFY HELP\r\n"};
    case Verb::kNotImplemented:
      return Error("502 5.5.1 command not implemented");
    case Verb::kUnknown:
      break;
  }
  return Error("500 5.5.2 unrecognized command");
}

Reply Session::Helo(const Command& cmd, bool extended) {
  if (cmd.arg.empty()) {
    return Error(std::string("501 5.5.4 ") + (extended ? "EHLO" : "HELO") +
                 " needs a host name");
  }
  helo_ = cmd.arg;
  esmtp_ = extended;
  sender_.clear();
  recipients_.clear();
  state_ = State::kReady;
  const std::string& me = config_.control->me;
  if (!extended) return Ok("250 " + me);
  return {"250-" + me + kCrlf + "250-PIPELINING\r\n250-8BITMIME\r\n" +
          "250-SIZE " + std::to_string(config_.control->databytes) + kCrlf +
          "250 ENHANCEDSTATUSCODES\r\n"};
}

Reply Session::Mail(const Command& cmd) {
  if (state_ == State::kStart) return Error("503 5.5.1 send HELO or EHLO first");
  if (state_ != State::kReady) return Error("503 5.5.1 nested MAIL command");
  if (cmd.error == ParseError::kSyntax) return Error("501 5.5.4 " + cmd.detail);
  Result<address::Path> path =
      address::ParsePath(cmd.path, address::PathKind::kReverse);
  if (!path.ok()) return Error("501 5.1.7 " + path.status().message());
  bool seen_size = false, seen_body = false;
  for (const auto& [key, value] : cmd.params) {
    if (key == "SIZE") {
      std::optional<uint64_t> n = control::ParseDecimal(value, kMaxSizeParam);
      if (seen_size || !n) return Error("501 5.5.4 malformed SIZE parameter");
      seen_size = true;
      uint64_t limit = config_.control->databytes;
      if (limit != 0 && *n > limit) {
        return Error("552 5.3.4 message size exceeds fixed maximum message size");
      }
    } else if (key == "BODY") {
      if (seen_body || !(EqualsIgnoreCase(value, "7BIT") ||
                         EqualsIgnoreCase(value, "8BITMIME"))) {
        return Error("501 5.5.4 malformed BODY parameter");
      }
      seen_body = true;
    } else {
      return Error("555 5.5.4 unrecognized MAIL parameter " + key);
    }
  }
  std::string sender = path->mailbox.ToString();
  if (config_.control->IsBadMailFrom(sender)) {
    return Error("553 5.7.1 sorry, your envelope sender is in my badmailfrom list");
  }
  sender_ = std::move(sender);
  recipients_.clear();
  state_ = State::kMail;
  return Ok("250 2.1.0 ok");
}

bool Session::RecipientDomainAccepted(std::string_view domain,
                                      bool literal) const {
  if (literal) return false;  // literals are mapped before this point
  return config_.control->AcceptsDomain(domain);
}

Reply Session::Rcpt(const Command& cmd) {
  if (state_ != State::kMail && state_ != State::kRcpt) {
    return Error("503 5.5.1 need MAIL before RCPT");
  }
  if (cmd.error == ParseError::kSyntax) return Error("501 5.5.4 " + cmd.detail);
  Result<address::Path> path =
      address::ParsePath(cmd.path, address::PathKind::kForward);
  if (!path.ok()) return Error("501 5.1.3 " + path.status().message());
  if (!cmd.params.empty()) {
    return Error("555 5.5.4 unrecognized RCPT parameter " + cmd.params[0].first);
  }
  if (recipients_.size() >= config_.control->maxrcpt) {
    return {Line("452 4.5.3 too many recipients")};
  }
  address::Mailbox box = path->mailbox;
  if (box.domain.empty()) {
    // The bare <postmaster> of RFC 5321 4.5.1 is always ours.
    box.domain = config_.control->me;
    recipients_.push_back(box.ToString());
    state_ = State::kRcpt;
    return Ok("250 2.1.5 ok");
  }
  if (box.domain_is_literal && !config_.local_ip.empty() &&
      (box.domain == "[" + config_.local_ip + "]" ||
       box.domain == "[IPv6:" + config_.local_ip + "]")) {
    box.domain = config_.control->localiphost;
    box.domain_is_literal = false;
  }
  if (!config_.relay_client) {
    if (address::IsRoutedLocalPart(box.local)) {
      return Error("553 5.7.1 sorry, routed addresses (% ! @ in the local "
                   "part) are not accepted");
    }
    if (!RecipientDomainAccepted(box.domain, box.domain_is_literal)) {
      return Error("553 5.7.1 sorry, that domain isn't in my list of allowed "
                   "rcpthosts; no relaying");
    }
  }
  if (config_.has_mailbox && !box.domain_is_literal &&
      config_.control->IsLocal(box.domain)) {
    Result<bool> has = config_.has_mailbox(box.local);
    if (has.ok() && !*has) {
      return Error("550 5.1.1 sorry, no mailbox here by that name");
    }
  }
  recipients_.push_back(box.ToString());
  state_ = State::kRcpt;
  return Ok("250 2.1.5 ok");
}

Reply Session::Data(const Command& cmd) {
  if (state_ == State::kStart || state_ == State::kReady) {
    return Error("503 5.5.1 need MAIL before DATA");
  }
  if (state_ == State::kMail) return Error("503 5.5.1 need RCPT before DATA");
  if (!cmd.arg.empty()) return Error("501 5.5.4 DATA takes no arguments");
  return {"", Action::kStartData};
}

Reply Session::OnDataStart(bool queue_started) {
  if (state_ != State::kRcpt) std::abort();
  if (!queue_started) {
    ResetTransaction();
    return {Line("451 4.3.0 unable to start the queue program; try later")};
  }
  state_ = State::kData;
  return {Line("354 go ahead, end with <CRLF>.<CRLF>")};
}

std::string Session::ReceivedHeader(time_t now, std::string_view id) const {
  std::string remote = config_.remote_ip.empty() ? "unknown" : config_.remote_ip;
  std::string from = "(";
  if (!config_.remote_host.empty()) from += config_.remote_host + " ";
  from += "[" + remote + "])";
  return "Received: from " + helo_ + " " + from + "\n\tby " +
         config_.control->me + " (yubin-smtpd) with " +
         (esmtp_ ? "ESMTP" : "SMTP") + " id " + std::string(id) + ";\n\t" +
         FormatMailDate(now) + "\n";
}

Reply Session::OnDataEnd(const DataResult& data, const QueueOutcome& queue) {
  if (state_ != State::kData) std::abort();
  state_ = State::kReady;
  sender_.clear();
  recipients_.clear();
  if (data.bare_cr_or_lf) {
    return {Line("554 5.6.0 message contains a bare CR or LF; lines must end "
                 "with CRLF")};
  }
  if (data.nul) return {Line("554 5.6.0 message contains NUL bytes")};
  if (data.too_big) {
    return {Line("552 5.3.4 message size exceeds fixed maximum message size")};
  }
  if (data.loop()) {
    return {Line("554 5.4.6 too many Received/Delivered-To headers: mail loop")};
  }
  if (!queue.ran) return {QueueExitReply(-1, "")};
  std::string ok_text = queue.queue_id.empty()
                            ? "qp " + std::to_string(queue.pid)
                            : "queued as " + queue.queue_id;
  return {QueueExitReply(queue.exit_code, ok_text)};
}

}  // namespace yubin::smtp
