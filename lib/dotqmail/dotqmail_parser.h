// dotqmail_parser.h: the .qmail file format, one delivery per line.
//
//   Result<std::vector<Instruction>> r = ParseDotQmail("# me\n./Maildir/\n");
//   for (const Instruction& i : *r) ...   // {kMaildir, "./Maildir/"}
//
// Lines (trailing blanks and tabs removed first):
//   #...          comment, ignored
//   |command      program, run with sh -c (kProgram, target = "command")
//   /path, .path  mbox file; with a trailing '/' a Maildir (target = the line)
//   &address      forward (target = "address")
//   other         forward to the whole line as an address
// A blank line is ignored, except that a blank first line is refused, as in
// qmail (it usually means a broken editor save). Limits: kMaxDotQmailBytes,
// kMaxDotQmailLine, kMaxInstructions and kMaxForwardAddressLength; going over
// them, a NUL byte, an empty `|` or `&` line are errors. Every error is a
// temporary failure: the file's owner can fix it and the mail waits.
#ifndef YUBIN_LIB_DOTQMAIL_DOTQMAIL_PARSER_H_
#define YUBIN_LIB_DOTQMAIL_DOTQMAIL_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::dotqmail {

inline constexpr size_t kMaxDotQmailBytes = 65536;
inline constexpr size_t kMaxDotQmailLine = 4096;
inline constexpr size_t kMaxInstructions = 1000;
inline constexpr size_t kMaxForwardAddressLength = 1003;

enum class InstructionKind { kForward, kProgram, kMbox, kMaildir };

struct Instruction {
  InstructionKind kind;
  std::string target;
  bool operator==(const Instruction&) const = default;
};

const char* InstructionKindName(InstructionKind kind);

Result<std::vector<Instruction>> ParseDotQmail(std::string_view text);

}  // namespace yubin::dotqmail

#endif  // YUBIN_LIB_DOTQMAIL_DOTQMAIL_PARSER_H_
