// tai64n.h: TAI64N timestamps as daemontools and s6 write them.
//
//   Tai64n t = Tai64n::Now();
//   std::string label = FormatTai64nLabel(t);     // "@4000000065a1b2c3..."
//   uint8_t packed[kTai64nPackedSize]; PackTai64n(t, packed);
//   std::optional<Tai64n> back = ParseTai64nLabel(label);
//   std::string text = FormatLocalTime(t);        // "2026-11-28 03:40:35.123456789"
//
// seconds is the TAI64 label: 2^62 + 10 + Unix seconds (the fixed 10-second
// offset daemontools uses; leap seconds are not tracked). Unix times before
// 1970 are negative and map to labels below 2^62 + 10.
#ifndef YUBIN_LIB_BASE_TAI64N_H_
#define YUBIN_LIB_BASE_TAI64N_H_

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace yubin {

inline constexpr uint64_t kTai64UnixOffset = (uint64_t{1} << 62) + 10;
inline constexpr size_t kTai64nPackedSize = 12;
inline constexpr size_t kTai64nLabelSize = 25;  // '@' + 24 hex digits

struct Tai64n {
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;

  static Tai64n Now();
  static Tai64n FromUnix(int64_t unix_seconds, uint32_t nanoseconds);
  int64_t UnixSeconds() const {
    return static_cast<int64_t>(seconds - kTai64UnixOffset);
  }
  friend bool operator==(const Tai64n&, const Tai64n&) = default;
  friend auto operator<=>(const Tai64n&, const Tai64n&) = default;
};

// 8 bytes of seconds then 4 bytes of nanoseconds, both big-endian.
void PackTai64n(const Tai64n& t, uint8_t out[kTai64nPackedSize]);
Tai64n UnpackTai64n(const uint8_t in[kTai64nPackedSize]);

// "@" followed by 24 lowercase hex digits.
std::string FormatTai64nLabel(const Tai64n& t);
// Writes the 25-byte label into out (no NUL), for hot paths.
void FormatTai64nLabelTo(const Tai64n& t, char out[kTai64nLabelSize]);
// Accepts exactly "@" + 24 hex digits (either case); nanoseconds must be
// below 10^9.
std::optional<Tai64n> ParseTai64nLabel(std::string_view text);

// "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in the local time zone.
std::string FormatLocalTime(const Tai64n& t);

// tai64nlocal's conversion of one line: a leading "@" and the lowercase hex
// digits after it become local time text, as daemontools does it (any number
// of digits, shifted in from the right); other lines come back unchanged.
std::string ConvertTai64nLine(std::string_view line);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_TAI64N_H_
