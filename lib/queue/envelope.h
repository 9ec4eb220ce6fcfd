// envelope.h: the qmail-queue envelope, `F<sender>\0` `T<recipient>\0`... `\0`.
//
//   EnvelopeParser p(/*collect=*/false);
//   size_t used = p.Feed(chunk);        // consumes up to the final NUL
//   if (p.state() == EnvelopeParser::State::kAddressTooLong) exit(11);
//
//   Result<QueuedEnvelope> e = ParseQueuedEnvelope(todo_file_contents);
//
// The parser is incremental and bounded: it never holds more than one
// address (kMaxAddressLength bytes) and only when asked to collect. Errors
// are sticky: a sender record not starting with 'F' or a recipient record not
// starting with 'T' is kBadFormat (qmail-queue's 91); an address of
// kMaxAddressLength + 1 bytes without its NUL is kAddressTooLong (11).
// Running out of input before the final NUL is not an error of the parser:
// the caller sees kNeedMore at end of file (qmail-queue's 54, read error).
#ifndef YUBIN_LIB_QUEUE_ENVELOPE_H_
#define YUBIN_LIB_QUEUE_ENVELOPE_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::queue {

// The longest address qmail-queue accepts (its ADDR buffer is 1003 bytes
// including the terminating NUL).
inline constexpr size_t kMaxAddressLength = 1002;

class EnvelopeParser {
 public:
  enum class State { kNeedMore, kDone, kAddressTooLong, kBadFormat };

  explicit EnvelopeParser(bool collect) : collect_(collect) {}

  // Consumes bytes of data in order and returns how many it used: all of
  // them while more is needed, fewer when the final NUL or an error comes
  // first (the byte that completed or broke the envelope is counted).
  size_t Feed(std::string_view data);
  State state() const { return state_; }

  // Only filled when constructed with collect = true.
  const std::string& sender() const { return sender_; }
  const std::vector<std::string>& recipients() const { return recipients_; }
  size_t recipient_count() const { return recipient_count_; }

 private:
  enum class Position { kRecordStart, kInSender, kInRecipient };
  bool collect_;
  State state_ = State::kNeedMore;
  Position position_ = Position::kRecordStart;
  bool seen_sender_ = false;
  size_t address_length_ = 0;
  size_t recipient_count_ = 0;
  std::string current_;
  std::string sender_;
  std::vector<std::string> recipients_;
};

// The last record of an envelope file, which tells a message found after a
// restart of the machine whole or torn (docs/queue.md, "Injection and the
// commit point"):
//   k<id>:<boot id>:<content bytes>:<content CRC>:<envelope CRC>\0
// id and bytes in decimal, the CRC-32Cs in eight lowercase hex digits; the
// envelope CRC covers every byte of the file before this record.
struct MessageCheck {
  uint64_t id = 0;
  std::string boot;  // the kernel's boot_id at injection ("" if unknown)
  uint64_t content_bytes = 0;
  uint32_t content_crc = 0;
  uint32_t envelope_crc = 0;
};

// The record, with its final NUL.
std::string FormatMessageCheck(const MessageCheck& check);

// A committed envelope file (todo/B/id): the injector's records, the
// envelope exactly as the client gave it, and (from injections of this
// version on) the check record:
//   u<uid>\0 p<pid>\0 t<unix seconds at injection>\0 F<sender>\0 T<rcpt>\0... \0
//   k...\0
struct QueuedEnvelope {
  uid_t uid = 0;
  pid_t pid = 0;
  int64_t birth = 0;
  std::string sender;
  std::vector<std::string> recipients;
  std::optional<MessageCheck> check;  // absent in files of earlier versions
  size_t checked_bytes = 0;           // what check->envelope_crc covers
};

// The prefix records ("u...\0p...\0t...\0") for an envelope file.
std::string FormatInjectorRecords(uid_t uid, pid_t pid, int64_t birth);

// Parses a whole envelope file; permanent Status naming what is wrong for
// anything else (missing or malformed records, trailing bytes). It does not
// compare the check record with anything.
Result<QueuedEnvelope> ParseQueuedEnvelope(std::string_view file);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_ENVELOPE_H_
