#include "lib/inject/message_reader.h"

namespace yubin::inject {

MessageLine MessageLineReader::Next(std::string* line) {
  if (ended_) return MessageLine::kEnd;
  LineStatus st = in_->ReadLine(kMaxMessageLineBytes, line);
  switch (st) {
    case LineStatus::kError:
      return MessageLine::kError;
    case LineStatus::kEof:
      ended_ = true;
      return MessageLine::kEnd;
    case LineStatus::kTooLong:
      // A "\r" at the end of a piece may belong to a CRLF split across the
      // limit; it is kept, which only matters for lines over 64 KiB.
      mid_line_ = true;
      return MessageLine::kPiece;
    case LineStatus::kLine:
    case LineStatus::kUnterminated:
      break;
  }
  if (!line->empty() && line->back() == '\r') line->pop_back();
  bool whole_line = !mid_line_;
  mid_line_ = false;
  if (whole_line && dot_ends_input_ && *line == ".") {
    ended_ = true;
    ended_by_dot_ = true;
    return MessageLine::kEnd;
  }
  return MessageLine::kLine;
}

}  // namespace yubin::inject
