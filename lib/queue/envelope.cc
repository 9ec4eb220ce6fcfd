#include "lib/queue/envelope.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
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

std::string FormatMessageCheck(const MessageCheck& check) {
  char crcs[20];
  std::snprintf(crcs, sizeof crcs, "%08x:%08x", check.content_crc, check.envelope_crc);
  std::string out = "k" + std::to_string(check.id) + ":" + check.boot + ":" +
                    std::to_string(check.content_bytes) + ":" + crcs;
  out += '\0';
  return out;
}

namespace {

// A number in canonical form: digits of base only (lowercase for hex), no
// leading zeros (in base 16 exactly eight digits), no overflow.
template <typename T>
std::optional<T> ParseCanonical(std::string_view text, int base) {
  const std::string_view digits = base == 16 ? "0123456789abcdef" : "0123456789";
  if (text.empty() || text.find_first_not_of(digits) != std::string_view::npos ||
      (base == 10 && text.size() > 1 && text[0] == '0') || (base == 16 && text.size() != 8)) {
    return std::nullopt;
  }
  T value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "k<id>:<boot>:<bytes>:<crc>:<crc>\0", exactly all of record.
std::optional<MessageCheck> ParseMessageCheck(std::string_view record) {
  if (record.size() < 2 || record[0] != 'k' || record.back() != '\0') return std::nullopt;
  std::string_view body = record.substr(1, record.size() - 2);
  std::string_view field[5];
  for (int i = 0; i < 5; ++i) {
    const size_t colon = body.find(':');
    if ((i < 4) != (colon != std::string_view::npos)) return std::nullopt;
    field[i] = body.substr(0, colon);
    body = i < 4 ? body.substr(colon + 1) : std::string_view();
  }
  MessageCheck check;
  std::optional<uint64_t> id = ParseCanonical<uint64_t>(field[0], 10);
  std::optional<uint64_t> bytes = ParseCanonical<uint64_t>(field[2], 10);
  std::optional<uint32_t> content = ParseCanonical<uint32_t>(field[3], 16);
  std::optional<uint32_t> envelope = ParseCanonical<uint32_t>(field[4], 16);
  if (!id || !bytes || !content || !envelope || field[1].size() > 64 ||
      field[1].find_first_not_of("0123456789abcdef-") != std::string_view::npos) {
    return std::nullopt;
  }
  check.id = *id;
  check.boot = std::string(field[1]);
  check.content_bytes = *bytes;
  check.content_crc = *content;
  check.envelope_crc = *envelope;
  return check;
}

// One "<letter><decimal>\0" record at the front of *rest, in canonical form
// (no leading zeros), at most INT64_MAX.
std::optional<int64_t> TakeNumberRecord(std::string_view* rest, char letter) {
  if (rest->empty() || (*rest)[0] != letter) return std::nullopt;
  size_t nul = rest->find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  std::optional<int64_t> value = ParseCanonical<int64_t>(rest->substr(1, nul - 1), 10);
  if (!value) return std::nullopt;
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
    out.check = ParseMessageCheck(rest.substr(used));
    if (!out.check) return Status::Permanent("envelope file: bytes after the envelope");
    out.checked_bytes = file.size() - (rest.size() - used);
  }
  out.sender = parser.sender();
  out.recipients = parser.recipients();
  return out;
}

}  // namespace yubin::queue
