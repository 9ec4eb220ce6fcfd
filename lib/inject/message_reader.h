// message_reader.h: the lines of a message on stdin, as sendmail reads them.
//
//   BufferedReader in(0);
//   MessageLineReader lines(&in, /*dot_ends_input=*/true);
//   std::string line;
//   while (lines.Next(&line) == MessageLine::kLine) ...
//
// Lines come without their "\n" (a "\r" before it is dropped too, so CRLF
// input is stored with LF, as the queue expects). A line longer than
// kMaxMessageLineBytes arrives in pieces: kPiece for each piece but the last,
// which is kLine. With dot_ends_input a line holding only "." ends the input
// (sendmail's default; -i and -oi turn it off). A last line without "\n" is
// an ordinary kLine. kError when read(2) fails: error_number() says why.
#ifndef YUBIN_LIB_INJECT_MESSAGE_READER_H_
#define YUBIN_LIB_INJECT_MESSAGE_READER_H_

#include <cstddef>
#include <string>

#include "lib/base/buffered_io.h"

namespace yubin::inject {

inline constexpr size_t kMaxMessageLineBytes = 65536;

enum class MessageLine { kLine, kPiece, kEnd, kError };

class MessageLineReader {
 public:
  MessageLineReader(BufferedReader* in, bool dot_ends_input)
      : in_(in), dot_ends_input_(dot_ends_input) {}

  MessageLine Next(std::string* line);
  int error_number() const { return in_->error_number(); }
  // True once input ended with a "." line rather than end of file.
  bool ended_by_dot() const { return ended_by_dot_; }

 private:
  BufferedReader* in_;
  bool dot_ends_input_;
  bool mid_line_ = false;  // the previous result was a kPiece
  bool ended_by_dot_ = false;
  bool ended_ = false;
};

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_MESSAGE_READER_H_
