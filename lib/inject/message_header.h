// message_header.h: the header section of a message being injected.
//
//   MessageLineReader lines(&in, true);
//   Result<MessageHeader> h = ReadMessageHeader(&lines);
//   for (const HeaderField& f : h->fields)
//     if (FieldNameIs(f, "to")) ... FieldBody(f) ...
//
// The header ends at an empty line, at the first line that is neither a
// field ("Name:" with a printable name) nor a continuation (starting with a
// space or tab), or at the end of input. That first body line, if any, is
// kept in first_body_line. A leading mbox "From " line is dropped, as
// sendmail does. Fails (permanent) on a header line, field or section over
// its limit; (temporary) on a read error.
#ifndef YUBIN_LIB_INJECT_MESSAGE_HEADER_H_
#define YUBIN_LIB_INJECT_MESSAGE_HEADER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"
#include "lib/inject/message_reader.h"

namespace yubin::inject {

inline constexpr size_t kMaxHeaderFieldBytes = 65536;
inline constexpr size_t kMaxHeaderBytes = 1 << 20;
inline constexpr size_t kMaxHeaderFields = 2000;

struct HeaderField {
  std::string name;  // as written, without the colon
  std::string text;  // the whole field, "Name: body\n" with folded lines
};

struct MessageHeader {
  std::vector<HeaderField> fields;
  // The line that ended the header without being blank, if any.
  std::optional<std::string> first_body_line;
  bool input_ended = false;  // nothing follows the header
};

// Builds a MessageHeader from whole lines (without "\n") fed in order.
class MessageHeaderBuilder {
 public:
  // Ok(true) when the header is complete (line was blank or began the
  // body), Ok(false) when more lines may follow.
  Result<bool> AddLine(std::string line);
  // Called at the end of input; returns the header.
  MessageHeader Finish(bool input_ended);

 private:
  MessageHeader header_;
  size_t total_ = 0;
  bool first_ = true;
};

Result<MessageHeader> ReadMessageHeader(MessageLineReader* lines);

// The header of a message given as text (tests and fuzzing): lines split at
// "\n", without dot handling.
Result<MessageHeader> ParseMessageHeader(std::string_view text);

// Case-insensitive comparison of the field's name with lower_name.
bool FieldNameIs(const HeaderField& field, std::string_view lower_name);
// The text after the colon, folded lines included.
std::string_view FieldBody(const HeaderField& field);
// The name of the field that starts line, or nullopt.
std::optional<std::string_view> FieldNameOf(std::string_view line);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_MESSAGE_HEADER_H_
