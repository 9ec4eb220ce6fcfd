// command.h: parsing one SMTP command line from a client (RFC 5321 4.1).
//
//   Command c = ParseCommand("MAIL FROM:<a@example.com> SIZE=100\r");
//   c.error == ParseError::kNone, c.verb == Verb::kMail,
//   c.path == "<a@example.com>", c.params == {{"SIZE", "100"}}
//
// The input is one line as read up to (not including) its '\n'; it must end
// with '\r', so a bare LF or a bare CR anywhere is an error, as are NUL,
// 8-bit and other control bytes and lines over kMaxCommandLineBytes. The
// parser never allocates more than the line's size.
#ifndef YUBIN_LIB_SMTP_COMMAND_H_
#define YUBIN_LIB_SMTP_COMMAND_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yubin::smtp {

// RFC 5321 4.5.3.1.4: 512 octets including the CRLF.
inline constexpr size_t kMaxCommandLineBytes = 512;
inline constexpr size_t kMaxParams = 8;

enum class Verb {
  kHelo, kEhlo, kMail, kRcpt, kData, kRset, kNoop, kQuit, kVrfy, kHelp,
  kNotImplemented,  // known SMTP verbs yubin does not offer (EXPN, TURN, ...)
  kUnknown,
};

enum class ParseError {
  kNone,
  kBareLf,     // line did not end in CRLF
  kBareCr,     // a CR inside the line
  kNul,        // a NUL byte
  kEightBit,   // a byte over 127
  kControl,    // another control byte
  kTooLong,    // over kMaxCommandLineBytes with its CRLF
  kSyntax,     // the verb's arguments are malformed (detail says how)
};

struct Command {
  Verb verb = Verb::kUnknown;
  ParseError error = ParseError::kNone;
  std::string verb_text;  // as sent, for messages
  std::string arg;        // everything after "VERB " (HELO name, VRFY text)
  std::string path;       // MAIL/RCPT: the "<...>" text
  std::vector<std::pair<std::string, std::string>> params;  // KEY uppercased
  std::string detail;     // why kSyntax
};

Command ParseCommand(std::string_view line);

}  // namespace yubin::smtp

#endif  // YUBIN_LIB_SMTP_COMMAND_H_
