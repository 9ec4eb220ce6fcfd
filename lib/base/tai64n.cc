#include "lib/base/tai64n.h"

#include <time.h>

#include <cstdio>

namespace yubin {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The broken-down local time of a Unix second count, as text without the
// fraction. Years are printed without padding, as tai64nlocal does.
std::string LocalSecondsText(int64_t unix_seconds, uint64_t fraction) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm_buf;
  if (localtime_r(&t, &tm_buf) == nullptr) return std::string();
  char buf[96];
  std::snprintf(buf, sizeof buf, "%ld-%02d-%02d %02d:%02d:%02d.%09llu",
                static_cast<long>(tm_buf.tm_year) + 1900, tm_buf.tm_mon + 1,
                tm_buf.tm_mday, tm_buf.tm_hour, tm_buf.tm_min, tm_buf.tm_sec,
                static_cast<unsigned long long>(fraction));
  return buf;
}

}  // namespace

Tai64n Tai64n::Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return FromUnix(ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec));
}

Tai64n Tai64n::FromUnix(int64_t unix_seconds, uint32_t nanoseconds) {
  Tai64n t;
  t.seconds = kTai64UnixOffset + static_cast<uint64_t>(unix_seconds);
  t.nanoseconds = nanoseconds;
  return t;
}

void PackTai64n(const Tai64n& t, uint8_t out[kTai64nPackedSize]) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(t.seconds >> (56 - 8 * i));
  }
  for (int i = 0; i < 4; ++i) {
    out[8 + i] = static_cast<uint8_t>(t.nanoseconds >> (24 - 8 * i));
  }
}

Tai64n UnpackTai64n(const uint8_t in[kTai64nPackedSize]) {
  Tai64n t;
  for (int i = 0; i < 8; ++i) t.seconds = (t.seconds << 8) | in[i];
  for (int i = 0; i < 4; ++i) t.nanoseconds = (t.nanoseconds << 8) | in[8 + i];
  return t;
}

void FormatTai64nLabelTo(const Tai64n& t, char out[kTai64nLabelSize]) {
  uint8_t packed[kTai64nPackedSize];
  PackTai64n(t, packed);
  out[0] = '@';
  for (size_t i = 0; i < kTai64nPackedSize; ++i) {
    out[1 + 2 * i] = kHexDigits[packed[i] >> 4];
    out[2 + 2 * i] = kHexDigits[packed[i] & 15];
  }
}

std::string FormatTai64nLabel(const Tai64n& t) {
  char buf[kTai64nLabelSize];
  FormatTai64nLabelTo(t, buf);
  return std::string(buf, sizeof buf);
}

std::optional<Tai64n> ParseTai64nLabel(std::string_view text) {
  if (text.size() != kTai64nLabelSize || text[0] != '@') return std::nullopt;
  uint8_t packed[kTai64nPackedSize];
  for (size_t i = 0; i < kTai64nPackedSize; ++i) {
    int hi = HexValue(text[1 + 2 * i]);
    int lo = HexValue(text[2 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    packed[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  Tai64n t = UnpackTai64n(packed);
  if (t.nanoseconds >= 1000000000u) return std::nullopt;
  return t;
}

std::string FormatLocalTime(const Tai64n& t) {
  return LocalSecondsText(t.UnixSeconds(), t.nanoseconds);
}

std::string ConvertTai64nLine(std::string_view line) {
  if (line.empty() || line[0] != '@') return std::string(line);
  // Digits shift into a 64-bit seconds field and a 32-bit fraction field
  // whose top nibble carries into the seconds, exactly as in tai64nlocal.
  uint64_t seconds = 0;
  uint64_t fraction = 0;
  size_t i = 1;
  for (; i < line.size(); ++i) {
    char c = line[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      break;
    }
    seconds = (seconds << 4) + (fraction >> 28);
    fraction = ((fraction & 0xfffffff) << 4) + static_cast<uint64_t>(digit);
  }
  std::string out = LocalSecondsText(
      static_cast<int64_t>(seconds - kTai64UnixOffset), fraction);
  out.append(line.substr(i));
  return out;
}

}  // namespace yubin
