#include "lib/queue/envelope.h"

#include <cstdint>
#include <limits>
#include <optional>

namespace yubin::queue {

size_t EnvelopeParser::Feed(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && state_ == State::kNeedMore) {
    char c = data[i++];
    switch (position_) {
      case Position::kRecordStart:
        if (!seen_sender_) {
          if (c != 'F') {
            state_ = State::kBadFormat;
            break;
          }
          seen_sender_ = true;
          position_ = Position::kInSender;
        } else if (c == '\0') {
          state_ = State::kDone;
        } else if (c == 'T') {
          position_ = Position::kInRecipient;
        } else {
          state_ = State::kBadFormat;
        }
        address_length_ = 0;
        current_.clear();
        break;
      case Position::kInSender:
      case Position::kInRecipient:
        if (c == '\0') {
          if (position_ == Position::kInSender) {
            if (collect_) sender_ = current_;
          } else {
            ++recipient_count_;
            if (collect_) recipients_.push_back(current_);
          }
          position_ = Position::kRecordStart;
          break;
        }
        if (address_length_ == kMaxAddressLength) {
          state_ = State::kAddressTooLong;
          break;
        }
        ++address_length_;
        if (collect_) current_.push_back(c);
        break;
    }
  }
  return i;
}

std::string FormatInjectorRecords(uid_t uid, pid_t pid, int64_t birth) {
  std::string out;
  out += 'u';
  out += std::to_string(uid);
  out += '\0';
  out += 'p';
  out += std::to_string(pid);
  out += '\0';
  out += 't';
  out += std::to_string(birth);
  out += '\0';
  return out;
}

namespace {

// One "<letter><decimal>\0" record at the front of *rest, in canonical form
// (no leading zeros), at most INT64_MAX.
std::optional<int64_t> TakeNumberRecord(std::string_view* rest, char letter) {
  if (rest->empty() || (*rest)[0] != letter) return std::nullopt;
  size_t nul = rest->find('\0');
  if (nul == std::string_view::npos || nul < 2) return std::nullopt;
  if (nul > 2 && (*rest)[1] == '0') return std::nullopt;
  int64_t value = 0;
  for (size_t i = 1; i < nul; ++i) {
    char c = (*rest)[i];
    if (c < '0' || c > '9') return std::nullopt;
    int64_t digit = c - '0';
    if (value > (INT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  rest->remove_prefix(nul + 1);
  return value;
}

}  // namespace

Result<QueuedEnvelope> ParseQueuedEnvelope(std::string_view file) {
  QueuedEnvelope out;
  std::string_view rest = file;
  std::optional<int64_t> uid = TakeNumberRecord(&rest, 'u');
  std::optional<int64_t> pid = uid ? TakeNumberRecord(&rest, 'p') : std::nullopt;
  std::optional<int64_t> birth =
      pid ? TakeNumberRecord(&rest, 't') : std::nullopt;
  if (!birth) return Status::Permanent("envelope file: bad u/p/t records");
  if (*uid > std::numeric_limits<uid_t>::max() ||
      *pid > std::numeric_limits<pid_t>::max()) {
    return Status::Permanent("envelope file: uid or pid out of range");
  }
  out.uid = static_cast<uid_t>(*uid);
  out.pid = static_cast<pid_t>(*pid);
  out.birth = *birth;
  EnvelopeParser parser(/*collect=*/true);
  size_t used = parser.Feed(rest);
  switch (parser.state()) {
    case EnvelopeParser::State::kDone: break;
    case EnvelopeParser::State::kNeedMore:
      return Status::Permanent("envelope file: truncated envelope");
    case EnvelopeParser::State::kAddressTooLong:
      return Status::Permanent("envelope file: address too long");
    case EnvelopeParser::State::kBadFormat:
      return Status::Permanent("envelope file: bad envelope format");
  }
  if (used != rest.size()) {
    return Status::Permanent("envelope file: bytes after the envelope");
  }
  out.sender = parser.sender();
  out.recipients = parser.recipients();
  return out;
}

}  // namespace yubin::queue
