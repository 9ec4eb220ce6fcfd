#include "lib/deliver/message_copy.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "lib/base/fd.h"

namespace yubin::deliver {
namespace {

constexpr size_t kCopyChunk = 65536;

constexpr std::string_view kFromPrefix = "From ";

}  // namespace

Status CopyMessage(int message_fd, BufferedWriter* out, MboxQuoting quoting) {
  if (::lseek(message_fd, 0, SEEK_SET) < 0) {
    return Status::FromErrno("rewind message", errno);
  }
  BufferedReader in(message_fd, kCopyChunk);
  if (quoting == MboxQuoting::kNone) {
    for (;;) {
      ssize_t n = in.Fill();
      if (n < 0) return Status::FromErrno("read message", in.error_number());
      if (n == 0) return Status::Ok();
      if (Status s = out->Put(in.Peek()); !s.ok()) return s;
      in.Consume(static_cast<size_t>(n));
    }
  }
  // At a line start, the bytes that may still turn out to be `>*From ` are
  // held in `carry` until they match or cannot match any more; the rest of
  // a line is copied in bulk.
  std::string carry;
  bool at_line_start = true;
  for (;;) {
    ssize_t n = in.Fill();
    if (n < 0) return Status::FromErrno("read message", in.error_number());
    if (n == 0) break;
    std::string_view data = in.Peek();
    size_t pos = 0;
    while (pos < data.size()) {
      if (at_line_start) {
        size_t gts = 0;
        while (gts < carry.size() && carry[gts] == '>') ++gts;
        size_t matched = carry.size() - gts;
        char c = data[pos];
        if (matched == 0 && c == '>') {
          carry.push_back(c);
          ++pos;
          continue;
        }
        if (c == kFromPrefix[matched]) {
          carry.push_back(c);
          ++pos;
          if (matched + 1 == kFromPrefix.size()) {
            if (Status s = out->PutChar('>'); !s.ok()) return s;
            if (Status s = out->Put(carry); !s.ok()) return s;
            carry.clear();
            at_line_start = false;
          }
          continue;
        }
        if (Status s = out->Put(carry); !s.ok()) return s;
        carry.clear();
        at_line_start = false;
        continue;  // c is copied as part of the line body
      }
      size_t nl = data.find('\n', pos);
      size_t end = nl == std::string_view::npos ? data.size() : nl + 1;
      if (Status s = out->Put(data.substr(pos, end - pos)); !s.ok()) return s;
      pos = end;
      if (nl != std::string_view::npos) at_line_start = true;
    }
    in.Consume(data.size());
  }
  // A held line start at end of file is a last line without its '\n'.
  if (!carry.empty()) {
    if (Status s = out->Put(carry); !s.ok()) return s;
    at_line_start = false;
  }
  if (!at_line_start) {
    if (Status s = out->PutChar('\n'); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace yubin::deliver
