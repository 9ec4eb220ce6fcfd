#include "lib/dotqmail/loop_check.h"

#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "lib/base/buffered_io.h"

namespace yubin::dotqmail {
namespace {

constexpr size_t kMaxLine = 8192;
constexpr std::string_view kField = "delivered-to:";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<bool> HasDeliveredTo(int message_fd, std::string_view address) {
  if (::lseek(message_fd, 0, SEEK_SET) < 0) {
    return Status::FromErrno("rewind message", errno);
  }
  BufferedReader in(message_fd);
  std::string line;
  size_t scanned = 0;
  std::string_view want = Trim(address);
  while (scanned < kMaxHeaderScanBytes) {
    LineStatus st = in.ReadLine(kMaxLine, &line);
    if (st == LineStatus::kError) {
      return Status::FromErrno("read message", in.error_number());
    }
    if (st == LineStatus::kEof) return false;
    scanned += line.size() + 1;
    if (st == LineStatus::kTooLong) {
      if (!in.SkipLine()) return false;
      continue;
    }
    std::string_view l = line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) return false;  // end of header
    if (l.size() > kField.size() && EqualNoCase(l.substr(0, kField.size()), kField) &&
        EqualNoCase(Trim(l.substr(kField.size())), want)) {
      return true;
    }
    if (st == LineStatus::kUnterminated) return false;
  }
  return false;
}

}  // namespace yubin::dotqmail
