#include "lib/base/tai64n_stream.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "lib/base/buffered_io.h"
#include "lib/base/tai64n.h"

namespace yubin {
namespace {

constexpr size_t kBufferSize = 8192;
// The longest line start tai64nlocal converts in one piece; a stamp is 25
// bytes, so this only matters for hostile input, which is passed through.
constexpr size_t kMaxConvertedPrefix = 4096;

}  // namespace

Status StampLines(int in_fd, int out_fd) {
  BufferedReader in(in_fd, kBufferSize);
  BufferedWriter out(out_fd, kBufferSize);
  bool at_line_start = true;
  for (;;) {
    if (in.buffered() == 0) {
      if (Status s = out.Flush(); !s.ok()) return s;
      ssize_t n = in.Fill();
      if (n < 0) return Status::FromErrno("read", in.error_number());
      if (n == 0) break;
    }
    // One stamp per read is precise enough and keeps the hot loop cheap.
    char label[kTai64nLabelSize + 1];
    bool have_label = false;
    std::string_view chunk = in.Peek();
    while (!chunk.empty()) {
      if (at_line_start) {
        if (!have_label) {
          FormatTai64nLabelTo(Tai64n::Now(), label);
          label[kTai64nLabelSize] = ' ';
          have_label = true;
        }
        if (Status s = out.Put(std::string_view(label, sizeof label)); !s.ok()) {
          return s;
        }
      }
      size_t nl = chunk.find('\n');
      size_t take = nl == std::string_view::npos ? chunk.size() : nl + 1;
      if (Status s = out.Put(chunk.substr(0, take)); !s.ok()) return s;
      at_line_start = nl != std::string_view::npos;
      chunk.remove_prefix(take);
    }
    in.Consume(in.buffered());
  }
  return out.Flush();
}

Status ConvertStampedLines(int in_fd, int out_fd) {
  BufferedReader in(in_fd, kBufferSize);
  BufferedWriter out(out_fd, kBufferSize);
  std::string line;
  bool at_line_start = true;
  for (;;) {
    if (in.buffered() == 0) {
      if (Status s = out.Flush(); !s.ok()) return s;
    }
    LineStatus st = in.ReadLine(kMaxConvertedPrefix, &line);
    if (st == LineStatus::kEof) break;
    if (st == LineStatus::kError) {
      return Status::FromErrno("read", in.error_number());
    }
    Status s = at_line_start ? out.Put(ConvertTai64nLine(line)) : out.Put(line);
    if (!s.ok()) return s;
    if (st == LineStatus::kLine) {
      if (s = out.PutChar('\n'); !s.ok()) return s;
    }
    if (st == LineStatus::kUnterminated) break;
    at_line_start = st == LineStatus::kLine;
  }
  return out.Flush();
}

}  // namespace yubin
