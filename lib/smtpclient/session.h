// session.h: one SMTP client session: greeting, EHLO, then messages.
//
//   SmtpSession s(std::move(conn), {.helo_host = "me.example"}, "192.0.2.1");
//   if (Status st = s.Open(); !st.ok()) ...      // try the next host
//   OutgoingMessage m{"a@me.example", {"b@x", "c@x"}, fd, size, false};
//   MessageOutcome o = s.Send(m);   // o.recipients[i]: r / h / s
//   MessageOutcome o2 = s.Send(m2); // same connection, after RSET
//   s.Quit();
//
// Open() reads the greeting and says EHLO, or HELO when EHLO gets a 5xx.
// Send() uses PIPELINING when offered (MAIL, every RCPT and DATA in one
// write), SIZE (a message over the server's limit is refused here without
// sending it), BODY=8BITMIME when offered and the message has 8-bit bytes.
// The text goes through DataEncoder (CRLF, dot-stuffing). The message is
// read from fd with pread from offset 0, so the same fd can be sent again.
//
// A sender or recipient that is too long or holds a control byte (CR, LF,
// NUL...) is never put on the wire: it fails permanently here.
//
// Classification: 2xx accepted; 5xx permanent; 4xx, other codes, malformed
// replies, timeouts and network errors temporary. A 5xx to one RCPT fails
// only that recipient. Once the connection breaks, every later call fails
// temporarily ("usable()" turns false).
#ifndef YUBIN_LIB_SMTPCLIENT_SESSION_H_
#define YUBIN_LIB_SMTPCLIENT_SESSION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/smtpclient/connection.h"
#include "lib/smtpclient/reply.h"

namespace yubin::smtpclient {

// Longest sender or recipient address sent (qmail's limit is about the
// same); longer ones, and any with a control byte, are refused here.
inline constexpr size_t kMaxAddressBytes = 1000;

struct SessionOptions {
  std::string helo_host;
};

struct OutgoingMessage {
  std::string sender;  // "" for the null sender
  std::vector<std::string> recipients;
  int fd = -1;          // the message text, read with pread from 0
  uint64_t size = 0;    // bytes in fd
  bool eight_bit = false;
};

enum class Verdict { kAccepted, kPermanent, kTemporary };

struct RecipientOutcome {
  Verdict verdict = Verdict::kTemporary;
  std::string text;
};

struct MessageOutcome {
  Verdict verdict = Verdict::kTemporary;  // the transaction as a whole
  std::string text;
  std::vector<RecipientOutcome> recipients;  // one per recipient, in order
};

struct ServerExtensions {
  bool esmtp = false;
  bool pipelining = false;
  bool eight_bit_mime = false;
  bool size = false;
  uint64_t size_limit = 0;  // 0: none announced
};

class SmtpSession {
 public:
  SmtpSession(Connection conn, SessionOptions options, std::string peer);
  Status Open();
  MessageOutcome Send(const OutgoingMessage& message);
  void Quit();
  bool usable() const { return usable_; }
  // The connection's socket, for polling it between messages.
  int fd() const { return conn_.fd(); }
  const ServerExtensions& extensions() const { return ext_; }

 private:
  Status ReadReply(Reply* reply);
  Status SendBody(const OutgoingMessage& message, bool* local_error);
  MessageOutcome Broken(const OutgoingMessage& m, const Status& why,
                        MessageOutcome partial);
  void ParseEhlo(const Reply& reply);

  Connection conn_;
  SessionOptions options_;
  std::string peer_;
  ServerExtensions ext_;
  bool usable_ = true;
  bool opened_ = false;
  bool need_rset_ = false;
};

// 'r', 'h' or 's' for a recipient's verdict (accepted, permanent, temporary).
char RecipientCode(Verdict v);
// 'K', 'D' or 'Z' for a message's verdict.
char MessageCode(Verdict v);

}  // namespace yubin::smtpclient

#endif  // YUBIN_LIB_SMTPCLIENT_SESSION_H_
