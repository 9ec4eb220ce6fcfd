#include "lib/smtpclient/session.h"

#include <unistd.h>

#include <cerrno>

#include "lib/control/control_file.h"
#include "lib/control/smtpd_control.h"
#include "lib/smtpclient/data_encoder.h"

namespace yubin::smtpclient {
namespace {

constexpr size_t kBodyChunkBytes = 65536;

Verdict VerdictOf(const Reply& r) {
  if (r.positive()) return Verdict::kAccepted;
  return r.permanent() ? Verdict::kPermanent : Verdict::kTemporary;
}

std::string Said(const Reply& r) { return " Remote host said: " + r.Text(); }

// An address goes into one command line: a CR, LF or other control byte in
// it would let its author add commands of their own.
bool SendableAddress(std::string_view a) {
  if (a.size() > kMaxAddressBytes) return false;
  for (char c : a) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) return false;
  }
  return true;
}

}  // namespace

char RecipientCode(Verdict v) {
  switch (v) {
    case Verdict::kAccepted: return 'r';
    case Verdict::kPermanent: return 'h';
    case Verdict::kTemporary: return 's';
  }
  return 's';
}

char MessageCode(Verdict v) {
  switch (v) {
    case Verdict::kAccepted: return 'K';
    case Verdict::kPermanent: return 'D';
    case Verdict::kTemporary: return 'Z';
  }
  return 'Z';
}

SmtpSession::SmtpSession(Connection conn, SessionOptions options,
                         std::string peer)
    : conn_(std::move(conn)), options_(std::move(options)),
      peer_(std::move(peer)) {}

Status SmtpSession::ReadReply(Reply* reply) {
  ReplyAssembler a;
  std::string line;
  for (size_t lines = 0;; ++lines) {
    if (Status s = conn_.ReadLine(&line); !s.ok()) {
      usable_ = false;
      return s;
    }
    ReplyFeed f = a.Feed(line);
    if (f == ReplyFeed::kBad) {
      usable_ = false;
      return Status::Temporary("malformed reply");
    }
    if (f == ReplyFeed::kDone) {
      *reply = a.Take();
      return Status::Ok();
    }
    // Continuation lines are bounded too: a server that never ends one
    // reply is as broken as one that says nothing.
    if (lines > 10 * kMaxReplyLines) {
      usable_ = false;
      return Status::Temporary("reply too long");
    }
  }
}

void SmtpSession::ParseEhlo(const Reply& reply) {
  ext_ = ServerExtensions();
  ext_.esmtp = true;
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    std::string kw = control::AsciiLower(reply.lines[i]);
    if (kw == "pipelining") ext_.pipelining = true;
    if (kw == "8bitmime") ext_.eight_bit_mime = true;
    if (kw == "size" || kw.rfind("size ", 0) == 0) {
      ext_.size = true;
      if (kw.size() > 5) {
        std::optional<uint64_t> n =
            control::ParseDecimal(kw.substr(5), UINT64_MAX / 2);
        ext_.size_limit = n.value_or(0);
      }
    }
  }
}

Status SmtpSession::Open() {
  Reply r;
  if (Status s = ReadReply(&r); !s.ok()) {
    return Status::Temporary("Connected to " + peer_ +
                             " but greeting failed: " + s.message());
  }
  if (r.code != 220) {
    usable_ = false;
    std::string text = "Connected to " + peer_ + " but greeting failed." +
                       Said(r);
    return r.permanent() ? Status::Permanent(text) : Status::Temporary(text);
  }
  if (Status s = conn_.Write("EHLO " + options_.helo_host + "\r\n"); !s.ok()) {
    usable_ = false;
    return Status::Temporary("Connection to " + peer_ + " died: " +
                             s.message());
  }
  if (Status s = ReadReply(&r); !s.ok()) {
    return Status::Temporary("Connection to " + peer_ + " died: " +
                             s.message());
  }
  if (r.positive()) {
    ParseEhlo(r);
  } else {
    if (!r.permanent()) {
      usable_ = false;
      return Status::Temporary("Connected to " + peer_ +
                               " but my name was rejected." + Said(r));
    }
    // RFC 5321 3.2: a server that does not know EHLO answers 5xx; HELO.
    if (Status s = conn_.Write("HELO " + options_.helo_host + "\r\n");
        !s.ok()) {
      usable_ = false;
      return Status::Temporary("Connection to " + peer_ + " died: " +
                               s.message());
    }
    if (Status s = ReadReply(&r); !s.ok()) {
      return Status::Temporary("Connection to " + peer_ + " died: " +
                               s.message());
    }
    if (!r.positive()) {
      usable_ = false;
      std::string text =
          "Connected to " + peer_ + " but my name was rejected." + Said(r);
      return r.permanent() ? Status::Permanent(text) : Status::Temporary(text);
    }
  }
  opened_ = true;
  return Status::Ok();
}

MessageOutcome SmtpSession::Broken(const OutgoingMessage& m, const Status& why,
                                   MessageOutcome partial) {
  usable_ = false;
  std::string text = "Connection to " + peer_ + " died or timed out: " +
                     why.message();
  partial.verdict = Verdict::kTemporary;
  partial.text = text;
  partial.recipients.resize(m.recipients.size());
  for (RecipientOutcome& r : partial.recipients) {
    if (r.verdict != Verdict::kPermanent) {
      r.verdict = Verdict::kTemporary;
      r.text = text;
    }
  }
  return partial;
}

Status SmtpSession::SendBody(const OutgoingMessage& m, bool* local_error) {
  *local_error = false;
  DataEncoder enc;
  std::string wire;
  std::string chunk(kBodyChunkBytes, '\0');
  uint64_t offset = 0;
  for (;;) {
    ssize_t n = pread(m.fd, chunk.data(), chunk.size(),
                      static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *local_error = true;
      return Status::FromErrno("read message", errno);
    }
    if (n == 0) break;
    offset += static_cast<uint64_t>(n);
    enc.Encode(std::string_view(chunk.data(), static_cast<size_t>(n)), &wire);
    if (wire.size() >= kBodyChunkBytes) {
      if (Status s = conn_.Write(wire); !s.ok()) return s;
      wire.clear();
    }
  }
  // The end of the text and ".\r\n" go out in one write: a lone small
  // last write would wait for the peer's delayed ACK.
  enc.Finish(&wire);
  return conn_.Write(wire);
}

MessageOutcome SmtpSession::Send(const OutgoingMessage& m) {
  MessageOutcome out;
  out.recipients.resize(m.recipients.size());
  if (!usable_ || !opened_) {
    return Broken(m, Status::Temporary("session not open"), std::move(out));
  }
  if (ext_.size && ext_.size_limit > 0 && m.size > ext_.size_limit) {
    out.verdict = Verdict::kPermanent;
    out.text = "Sorry, the message (" + std::to_string(m.size) +
               " bytes) is bigger than " + peer_ + " accepts (SIZE " +
               std::to_string(ext_.size_limit) + "). (#5.3.4)";
    for (RecipientOutcome& r : out.recipients) {
      r = {Verdict::kPermanent, out.text};
    }
    return out;
  }
  if (!SendableAddress(m.sender)) {
    out.verdict = Verdict::kPermanent;
    out.text = "Sorry, the sender address is too long or holds control "
               "characters. (#5.1.7)";
    for (RecipientOutcome& r : out.recipients) r = {out.verdict, out.text};
    return out;
  }
  std::vector<size_t> sendable;  // indexes into m.recipients
  for (size_t i = 0; i < m.recipients.size(); ++i) {
    if (SendableAddress(m.recipients[i])) {
      sendable.push_back(i);
    } else {
      out.recipients[i] = {Verdict::kPermanent,
                           "Sorry, this recipient address is too long or "
                           "holds control characters. (#5.1.3)"};
    }
  }
  if (sendable.empty()) {
    out.verdict = Verdict::kPermanent;
    out.text = "No recipient address could be sent.";
    return out;
  }
  Reply reply;
  if (need_rset_) {
    if (Status s = conn_.Write("RSET\r\n"); !s.ok()) {
      return Broken(m, s, std::move(out));
    }
    if (Status s = ReadReply(&reply); !s.ok()) {
      return Broken(m, s, std::move(out));
    }
    if (!reply.positive()) {
      return Broken(m, Status::Temporary("RSET refused: " + reply.Text()),
                    std::move(out));
    }
  }
  need_rset_ = true;

  std::string mail = "MAIL FROM:<" + m.sender + ">";
  if (ext_.size) mail += " SIZE=" + std::to_string(m.size);
  if (ext_.eight_bit_mime && m.eight_bit) mail += " BODY=8BITMIME";
  mail += "\r\n";
  std::vector<std::string> rcpts;
  for (size_t i : sendable) {
    rcpts.push_back("RCPT TO:<" + m.recipients[i] + ">\r\n");
  }

  // With PIPELINING every command up to DATA goes in one write; without it
  // each waits for its reply. Either way the replies are read in order.
  if (ext_.pipelining) {
    std::string batch = mail;
    for (const std::string& r : rcpts) batch += r;
    batch += "DATA\r\n";
    if (Status s = conn_.Write(batch); !s.ok()) {
      return Broken(m, s, std::move(out));
    }
  } else if (Status s = conn_.Write(mail); !s.ok()) {
    return Broken(m, s, std::move(out));
  }
  if (Status s = ReadReply(&reply); !s.ok()) return Broken(m, s, std::move(out));
  Reply mail_reply = reply;
  bool mail_ok = mail_reply.positive();
  size_t accepted = 0;
  for (size_t i = 0; i < rcpts.size(); ++i) {
    if (!ext_.pipelining) {
      if (!mail_ok) break;
      if (Status s = conn_.Write(rcpts[i]); !s.ok()) {
        return Broken(m, s, std::move(out));
      }
    }
    if (Status s = ReadReply(&reply); !s.ok()) {
      return Broken(m, s, std::move(out));
    }
    if (!mail_ok) continue;  // pipelined answers to a refused MAIL
    Verdict v = VerdictOf(reply);
    if (v == Verdict::kAccepted) {
      ++accepted;
      out.recipients[sendable[i]] = {Verdict::kAccepted, ""};
    } else {
      out.recipients[sendable[i]] = {
          v, peer_ + " does not like recipient." + Said(reply)};
    }
  }
  if (!mail_ok) {
    std::string text =
        "Connected to " + peer_ + " but sender was rejected." + Said(mail_reply);
    Verdict v = VerdictOf(mail_reply);
    if (ext_.pipelining) {
      if (Status s = ReadReply(&reply); !s.ok()) {
        return Broken(m, s, std::move(out));
      }
      if (reply.code == 354) {
        // The server took DATA despite everything: end it empty.
        if (Status s = conn_.Write(".\r\n"); !s.ok()) {
          return Broken(m, s, std::move(out));
        }
        if (Status s = ReadReply(&reply); !s.ok()) {
          return Broken(m, s, std::move(out));
        }
      }
    }
    out.verdict = v;
    out.text = text;
    for (size_t i : sendable) out.recipients[i] = {v, text};
    return out;
  }
  if (!ext_.pipelining && accepted > 0) {
    if (Status s = conn_.Write("DATA\r\n"); !s.ok()) {
      return Broken(m, s, std::move(out));
    }
  }
  if (ext_.pipelining || accepted > 0) {
    if (Status s = ReadReply(&reply); !s.ok()) {
      return Broken(m, s, std::move(out));
    }
  }
  if (accepted == 0) {
    if (ext_.pipelining && reply.code == 354) {
      if (Status s = conn_.Write(".\r\n"); !s.ok()) {
        return Broken(m, s, std::move(out));
      }
      if (Status s = ReadReply(&reply); !s.ok()) {
        return Broken(m, s, std::move(out));
      }
    }
    bool any_temporary = false;
    for (const RecipientOutcome& r : out.recipients) {
      any_temporary |= r.verdict == Verdict::kTemporary;
    }
    out.verdict = any_temporary ? Verdict::kTemporary : Verdict::kPermanent;
    out.text = "No recipient was accepted by " + peer_ + ".";
    return out;
  }
  auto fail_accepted = [&](Verdict v, const std::string& text) {
    for (RecipientOutcome& r : out.recipients) {
      if (r.verdict == Verdict::kAccepted) r = {v, text};
    }
    out.verdict = v;
    out.text = text;
  };
  if (reply.code != 354) {
    Verdict v = reply.permanent() ? Verdict::kPermanent : Verdict::kTemporary;
    fail_accepted(v, peer_ + " failed on DATA command." + Said(reply));
    return out;
  }
  bool local_error = false;
  if (Status s = SendBody(m, &local_error); !s.ok()) {
    if (local_error) {
      // Our own message file failed: the connection is now mid-DATA.
      usable_ = false;
      fail_accepted(Verdict::kTemporary, "Unable to read message: " +
                                             s.message());
      return out;
    }
    return Broken(m, s, std::move(out));
  }
  if (Status s = ReadReply(&reply); !s.ok()) {
    // The server may have the message: qmail's duplicate window.
    return Broken(m, s, std::move(out));
  }
  Verdict v = VerdictOf(reply);
  if (v == Verdict::kAccepted) {
    std::string text = peer_ + " accepted message." + Said(reply);
    for (RecipientOutcome& r : out.recipients) {
      if (r.verdict == Verdict::kAccepted) r.text = text;
    }
    out.verdict = Verdict::kAccepted;
    out.text = text;
  } else {
    fail_accepted(v, peer_ + " failed after I sent the message." + Said(reply));
  }
  return out;
}

void SmtpSession::Quit() {
  if (usable_) {
    Reply r;
    if (conn_.Write("QUIT\r\n").ok()) (void)ReadReply(&r);
  }
  usable_ = false;
  conn_.Close();
}

}  // namespace yubin::smtpclient
