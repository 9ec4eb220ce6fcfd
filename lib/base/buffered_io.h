// buffered_io.h: buffered reading and writing on raw fds, no iostreams.
//
//   BufferedReader in(0, 8192);
//   std::string line;
//   for (;;) {
//     LineStatus st = in.ReadLine(1000, &line);
//     if (st == LineStatus::kTooLong) { in.SkipLine(); reply("500"); continue; }
//     if (st != LineStatus::kLine) break;   // kEof, kUnterminated, kError
//     ...
//   }
//   BufferedWriter out(1, 8192);
//   out.Put("250 ok\r\n");
//   if (Status s = out.Flush(); !s.ok()) ...
//
// Both allocate their buffer once at construction; a line is never allowed to
// grow beyond the caller's limit: the reader reports kTooLong instead.
#ifndef YUBIN_LIB_BASE_BUFFERED_IO_H_
#define YUBIN_LIB_BASE_BUFFERED_IO_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin {

enum class LineStatus {
  kLine,          // a whole line, without its '\n'
  kUnterminated,  // the last bytes before end of file, without a '\n'
  kTooLong,       // max_len bytes and still no '\n'; the rest is still unread
  kEof,           // end of file, nothing read
  kError,         // read(2) failed; error_number() tells why
};

class BufferedReader {
 public:
  static constexpr size_t kDefaultCapacity = 8192;
  explicit BufferedReader(int fd, size_t capacity = kDefaultCapacity);

  // Reads up to len bytes: what is buffered, else one read(2).
  // Returns 0 at end of file, -1 on error.
  ssize_t Read(char* dst, size_t len);
  // Reads one line of at most max_len bytes (not counting '\n') into *line.
  // A line of exactly max_len bytes is kLine; one byte more is kTooLong, with
  // the first max_len bytes in *line and the rest left for the next call.
  LineStatus ReadLine(size_t max_len, std::string* line);
  // Discards input up to and including the next '\n' (or end of file).
  // Returns false on end of file or error before a '\n'.
  bool SkipLine();

  // Bytes already read from the fd and not yet consumed.
  size_t buffered() const { return end_ - start_; }
  // Refills the buffer with one read(2) if it is empty. Returns the number
  // of bytes now buffered, 0 at end of file, -1 on error.
  ssize_t Fill();
  // The buffered bytes, without consuming them; Consume(n) drops n of them.
  std::string_view Peek() const {
    return std::string_view(buf_.get() + start_, end_ - start_);
  }
  void Consume(size_t n) { start_ += n < buffered() ? n : buffered(); }

  int fd() const { return fd_; }
  int error_number() const { return errno_; }

 private:
  int fd_;
  size_t capacity_;
  std::unique_ptr<char[]> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
  int errno_ = 0;
};

class BufferedWriter {
 public:
  static constexpr size_t kDefaultCapacity = 8192;
  explicit BufferedWriter(int fd, size_t capacity = kDefaultCapacity);
  // Flushes what is left; errors at that point are lost, so call Flush().
  ~BufferedWriter();
  BufferedWriter(const BufferedWriter&) = delete;
  BufferedWriter& operator=(const BufferedWriter&) = delete;

  // Buffers data; writes through when the buffer fills. After a write error
  // every call fails with the same status until the writer is discarded.
  Status Put(std::string_view data);
  Status PutChar(char c);
  Status Flush();

  size_t pending() const { return used_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  size_t capacity_;
  std::unique_ptr<char[]> buf_;
  size_t used_ = 0;
  Status error_;
};

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_BUFFERED_IO_H_
