#include "lib/smtp/command.h"

namespace yubin::smtp {
namespace {

char Upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Upper(s[i]) != prefix[i]) return false;
  }
  return true;
}

Verb VerbFor(std::string_view upper) {
  struct Entry {
    std::string_view name;
    Verb verb;
  };
  static constexpr Entry kVerbs[] = {
      {"HELO", Verb::kHelo}, {"EHLO", Verb::kEhlo}, {"MAIL", Verb::kMail},
      {"RCPT", Verb::kRcpt}, {"DATA", Verb::kData}, {"RSET", Verb::kRset},
      {"NOOP", Verb::kNoop}, {"QUIT", Verb::kQuit}, {"VRFY", Verb::kVrfy},
      {"HELP", Verb::kHelp}, {"EXPN", Verb::kNotImplemented},
      {"TURN", Verb::kNotImplemented}, {"ETRN", Verb::kNotImplemented},
      {"ATRN", Verb::kNotImplemented}, {"BDAT", Verb::kNotImplemented},
      {"AUTH", Verb::kNotImplemented}, {"STARTTLS", Verb::kNotImplemented},
      {"SEND", Verb::kNotImplemented}, {"SOML", Verb::kNotImplemented},
      {"SAML", Verb::kNotImplemented},
  };
  for (const Entry& e : kVerbs) {
    if (e.name == upper) return e.verb;
  }
  return Verb::kUnknown;
}

// Length of the path at the start of s: "<...>" honouring quotes and
// backslashes, else up to the first space.
size_t PathLength(std::string_view s) {
  if (s.empty() || s.front() != '<') {
    size_t sp = s.find(' ');
    return sp == std::string_view::npos ? s.size() : sp;
  }
  bool quoted = false;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && quoted) {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '>' && !quoted) {
      return i + 1;
    }
  }
  return s.size();
}

bool IsKeywordChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-';
}

void ParsePathAndParams(std::string_view rest, std::string_view keyword,
                        Command* cmd) {
  if (!StartsWithIgnoreCase(rest, keyword)) {
    cmd->error = ParseError::kSyntax;
    cmd->detail = "syntax: " + cmd->verb_text + " " + std::string(keyword) +
                  "<address>";
    return;
  }
  rest.remove_prefix(keyword.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty()) {
    cmd->error = ParseError::kSyntax;
    cmd->detail = "missing address";
    return;
  }
  size_t len = PathLength(rest);
  cmd->path = std::string(rest.substr(0, len));
  rest.remove_prefix(len);
  while (!rest.empty()) {
    if (rest.front() != ' ') {
      cmd->error = ParseError::kSyntax;
      cmd->detail = "malformed address";
      return;
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t sp = rest.find(' ');
    std::string_view param = rest.substr(0, sp);
    rest.remove_prefix(param.size());
    size_t eq = param.find('=');
    std::string_view key = param.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    bool ok = !key.empty() && (eq == std::string_view::npos || !value.empty());
    for (char c : key) ok = ok && IsKeywordChar(c);
    for (char c : value) ok = ok && c != '=';
    if (!ok || cmd->params.size() >= kMaxParams) {
      cmd->error = ParseError::kSyntax;
      cmd->detail = "malformed parameter";
      return;
    }
    std::string upper;
    for (char c : key) upper.push_back(Upper(c));
    cmd->params.emplace_back(std::move(upper), std::string(value));
  }
}

}  // namespace

Command ParseCommand(std::string_view line) {
  Command cmd;
  if (line.size() + 1 > kMaxCommandLineBytes) {
    cmd.error = ParseError::kTooLong;
    return cmd;
  }
  if (line.empty() || line.back() != '\r') {
    cmd.error = ParseError::kBareLf;
    return cmd;
  }
  line.remove_suffix(1);
  for (char ch : line) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\r') {
      cmd.error = ParseError::kBareCr;
      return cmd;
    }
    if (c == 0) {
      cmd.error = ParseError::kNul;
      return cmd;
    }
    if (c >= 128) {
      cmd.error = ParseError::kEightBit;
      return cmd;
    }
    if (c < 32 || c == 127) {
      cmd.error = ParseError::kControl;
      return cmd;
    }
  }
  size_t sp = line.find(' ');
  std::string_view verb = line.substr(0, sp);
  std::string_view rest =
      sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  cmd.verb_text = std::string(verb);
  std::string upper;
  for (char c : verb) upper.push_back(Upper(c));
  cmd.verb = VerbFor(upper);
  // Trailing blanks are not part of any argument.
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  cmd.arg = std::string(rest);
  if (cmd.verb == Verb::kMail) ParsePathAndParams(rest, "FROM:", &cmd);
  if (cmd.verb == Verb::kRcpt) ParsePathAndParams(rest, "TO:", &cmd);
  return cmd;
}

}  // namespace yubin::smtp
