#include "lib/base/buffered_io.h"

#include <cerrno>
#include <cstring>

#include "lib/base/fd.h"

namespace yubin {

BufferedReader::BufferedReader(int fd, size_t capacity)
    : fd_(fd),
      capacity_(capacity == 0 ? 1 : capacity),
      buf_(new char[capacity_]) {}

ssize_t BufferedReader::Fill() {
  if (buffered() > 0) return static_cast<ssize_t>(buffered());
  start_ = end_ = 0;
  ssize_t n = ReadRetry(fd_, buf_.get(), capacity_);
  if (n < 0) {
    errno_ = errno;
    return -1;
  }
  end_ = static_cast<size_t>(n);
  return n;
}

ssize_t BufferedReader::Read(char* dst, size_t len) {
  if (len == 0) return 0;
  if (buffered() == 0) {
    // Large reads go straight to the caller's memory.
    if (len >= capacity_) {
      ssize_t n = ReadRetry(fd_, dst, len);
      if (n < 0) errno_ = errno;
      return n;
    }
    ssize_t n = Fill();
    if (n <= 0) return n;
  }
  size_t take = len < buffered() ? len : buffered();
  std::memcpy(dst, buf_.get() + start_, take);
  start_ += take;
  return static_cast<ssize_t>(take);
}

LineStatus BufferedReader::ReadLine(size_t max_len, std::string* line) {
  line->clear();
  for (;;) {
    if (buffered() == 0) {
      ssize_t n = Fill();
      if (n < 0) return LineStatus::kError;
      if (n == 0) {
        return line->empty() ? LineStatus::kEof : LineStatus::kUnterminated;
      }
    }
    const char* begin = buf_.get() + start_;
    size_t avail = buffered();
    const char* nl = static_cast<const char*>(std::memchr(begin, '\n', avail));
    size_t content = nl ? static_cast<size_t>(nl - begin) : avail;
    size_t room = max_len - line->size();
    if (content > room) {
      line->append(begin, room);
      start_ += room;
      return LineStatus::kTooLong;
    }
    line->append(begin, content);
    if (nl) {
      start_ += content + 1;
      return LineStatus::kLine;
    }
    start_ += content;
  }
}

bool BufferedReader::SkipLine() {
  for (;;) {
    if (buffered() == 0 && Fill() <= 0) return false;
    const char* begin = buf_.get() + start_;
    const char* nl =
        static_cast<const char*>(std::memchr(begin, '\n', buffered()));
    if (nl) {
      start_ += static_cast<size_t>(nl - begin) + 1;
      return true;
    }
    start_ = end_;
  }
}

BufferedWriter::BufferedWriter(int fd, size_t capacity)
    : fd_(fd),
      capacity_(capacity == 0 ? 1 : capacity),
      buf_(new char[capacity_]) {}

BufferedWriter::~BufferedWriter() { (void)Flush(); }

Status BufferedWriter::Put(std::string_view data) {
  if (!error_.ok()) return error_;
  if (data.size() <= capacity_ - used_) {
    std::memcpy(buf_.get() + used_, data.data(), data.size());
    used_ += data.size();
    return Status::Ok();
  }
  if (Status s = Flush(); !s.ok()) return s;
  if (data.size() >= capacity_) {
    error_ = WriteAll(fd_, data);
    return error_;
  }
  std::memcpy(buf_.get(), data.data(), data.size());
  used_ = data.size();
  return Status::Ok();
}

Status BufferedWriter::PutChar(char c) {
  if (used_ < capacity_ && error_.ok()) {
    buf_[used_++] = c;
    return Status::Ok();
  }
  return Put(std::string_view(&c, 1));
}

Status BufferedWriter::Flush() {
  if (!error_.ok()) return error_;
  if (used_ == 0) return Status::Ok();
  error_ = WriteAll(fd_, std::string_view(buf_.get(), used_));
  used_ = 0;
  return error_;
}

}  // namespace yubin
