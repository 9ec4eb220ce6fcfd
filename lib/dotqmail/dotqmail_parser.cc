#include "lib/dotqmail/dotqmail_parser.h"

namespace yubin::dotqmail {

const char* InstructionKindName(InstructionKind kind) {
  switch (kind) {
    case InstructionKind::kForward: return "forward";
    case InstructionKind::kProgram: return "program";
    case InstructionKind::kMbox: return "mbox";
    case InstructionKind::kMaildir: return "maildir";
  }
  return "unknown";
}

Result<std::vector<Instruction>> ParseDotQmail(std::string_view text) {
  if (text.size() > kMaxDotQmailBytes) {
    return Status::Temporary(".qmail file is too long (over " +
                             std::to_string(kMaxDotQmailBytes) + " bytes) (#4.7.0)");
  }
  if (text.find('\0') != std::string_view::npos) {
    return Status::Temporary(".qmail file contains a NUL byte (#4.7.0)");
  }
  std::vector<Instruction> out;
  size_t pos = 0;
  size_t line_number = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_number;
    const std::string where = ".qmail line " + std::to_string(line_number);
    if (line.size() > kMaxDotQmailLine) {
      return Status::Temporary(where + " is too long (#4.7.0)");
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      if (line_number == 1) {
        return Status::Temporary("first line of .qmail file is blank (#4.2.1)");
      }
      continue;
    }
    Instruction ins;
    switch (line[0]) {
      case '#':
        continue;
      case '|':
        ins.kind = InstructionKind::kProgram;
        ins.target = std::string(line.substr(1));
        if (ins.target.find_first_not_of(" \t") == std::string::npos) {
          return Status::Temporary(where + ": empty program (#4.7.0)");
        }
        break;
      case '/':
      case '.':
        ins.kind = line.back() == '/' ? InstructionKind::kMaildir
                                      : InstructionKind::kMbox;
        ins.target = std::string(line);
        break;
      default: {
        std::string_view address = line[0] == '&' ? line.substr(1) : line;
        while (!address.empty() && (address[0] == ' ' || address[0] == '\t')) {
          address.remove_prefix(1);
        }
        if (address.empty()) {
          return Status::Temporary(where + ": empty forwarding address (#4.7.0)");
        }
        if (address.size() > kMaxForwardAddressLength) {
          return Status::Temporary(where + ": forwarding address too long (#4.7.0)");
        }
        ins.kind = InstructionKind::kForward;
        ins.target = std::string(address);
        break;
      }
    }
    if (out.size() >= kMaxInstructions) {
      return Status::Temporary(".qmail file has more than " +
                               std::to_string(kMaxInstructions) +
                               " deliveries (#4.7.0)");
    }
    out.push_back(std::move(ins));
  }
  return out;
}

}  // namespace yubin::dotqmail
