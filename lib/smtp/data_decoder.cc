#include "lib/smtp/data_decoder.h"

#include <cstdint>
#include <cstring>

namespace yubin::smtp {
namespace {

bool HasPrefix(const char* prefix, size_t len, const char* want) {
  size_t n = std::strlen(want);
  return len >= n && std::memcmp(prefix, want, n) == 0;
}

// Nonzero when one of the 8 bytes of w is zero (exact, no false alarm).
constexpr uint64_t HasZeroByte(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  return (w - kOnes) & ~w & kHighs;
}

// How many bytes from p on hold no CR, LF or NUL (at most n): eight at a
// time while a word holds none, then byte by byte. Bodies are mostly long
// runs, and a byte loop was a twentieth of all the CPU time of 100 KB
// messages in bench/intake.sh.
size_t RunLength(const char* p, size_t n) {
  constexpr uint64_t kCrs = 0x0d0d0d0d0d0d0d0dULL;
  constexpr uint64_t kLfs = 0x0a0a0a0a0a0a0a0aULL;
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= n; i += sizeof(uint64_t)) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    if ((HasZeroByte(w) | HasZeroByte(w ^ kCrs) | HasZeroByte(w ^ kLfs)) != 0) break;
  }
  while (i < n && p[i] != '\r' && p[i] != '\n' && p[i] != '\0') ++i;
  return i;
}

}  // namespace

void DataDecoder::Emit(char c, std::string* out) {
  if (c == '\0') result_.nul = true;
  if (in_header_ && prefix_len_ < kPrefixBytes) {
    prefix_[prefix_len_++] =
        (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  ++line_len_;
  ++result_.bytes;
  if (max_bytes_ != 0 && result_.bytes > max_bytes_) result_.too_big = true;
  if (!result_.too_big && !marked()) out->push_back(c);
}

void DataDecoder::EmitRun(std::string_view run, std::string* out) {
  if (in_header_) {
    for (size_t k = 0; k < run.size() && prefix_len_ < kPrefixBytes; ++k) {
      const char c = run[k];
      prefix_[prefix_len_++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  line_len_ += run.size();
  const uint64_t before = result_.bytes;
  const bool was_too_big = result_.too_big;
  result_.bytes += run.size();
  size_t take = run.size();
  if (max_bytes_ != 0 && result_.bytes > max_bytes_) {
    result_.too_big = true;
    take = before >= max_bytes_ ? 0 : static_cast<size_t>(max_bytes_ - before);
  }
  if (!was_too_big && !marked()) out->append(run.substr(0, take));
}

// A CRLF ended the line: the queue gets a plain LF.
void DataDecoder::EndLine(std::string* out) {
  if (in_header_) {
    if (line_len_ == 0) {
      in_header_ = false;
    } else if (HasPrefix(prefix_, prefix_len_, "received:") ||
               HasPrefix(prefix_, prefix_len_, "delivered-to:")) {
      if (result_.hops <= kMaxHops) ++result_.hops;
    }
  }
  prefix_len_ = 0;
  line_len_ = 0;
  ++result_.bytes;
  if (max_bytes_ != 0 && result_.bytes > max_bytes_) result_.too_big = true;
  if (!result_.too_big && !marked()) out->push_back('\n');
}

size_t DataDecoder::Feed(std::string_view in, std::string* out) {
  size_t i = 0;
  while (i < in.size() && state_ != State::kDone) {
    // The bytes of a line up to its next CR, LF or NUL go out as one run.
    if (state_ == State::kInLine || (state_ == State::kLineStart && in[i] != '.')) {
      const size_t end = i + RunLength(in.data() + i, in.size() - i);
      if (end > i) {
        EmitRun(in.substr(i, end - i), out);
        state_ = State::kInLine;
        i = end;
        continue;
      }
    }
    char c = in[i++];
    switch (state_) {
      case State::kLineStart:
        if (c == '.') {
          state_ = State::kDot;
          break;
        }
        [[fallthrough]];
      case State::kInLine:
        if (c == '\r') {
          state_ = State::kCr;
        } else {
          // A bare LF is kept in the line: it never starts a new one, so
          // "\n.\r\n" cannot end the data.
          if (c == '\n') result_.bare_cr_or_lf = true;
          Emit(c, out);
          state_ = State::kInLine;
        }
        break;
      case State::kDot:
        // The leading dot is transparency (RFC 5321 4.5.2): drop it.
        if (c == '\r') {
          state_ = State::kDotCr;
        } else {
          if (c == '\n') result_.bare_cr_or_lf = true;
          Emit(c, out);
          state_ = State::kInLine;
        }
        break;
      case State::kDotCr:
        if (c == '\n') {
          state_ = State::kDone;
        } else {
          result_.bare_cr_or_lf = true;
          Emit('\r', out);
          --i;  // look at c again in the line
          state_ = State::kInLine;
        }
        break;
      case State::kCr:
        if (c == '\n') {
          EndLine(out);
          state_ = State::kLineStart;
        } else {
          result_.bare_cr_or_lf = true;
          Emit('\r', out);
          --i;
          state_ = State::kInLine;
        }
        break;
      case State::kDone:
        break;
    }
  }
  return i;
}

}  // namespace yubin::smtp
