// delivery_records.h: the records yubin-send and yubin-lspawn exchange over
// the local delivery socket, and their one bounded parser.
//
//   std::string wire = FormatRequest({.id = 1234, .index = 0, .local = "kim",
//                                     .domain = "example.com", .sender = "a@b"});
//   RecordParser p(kRequestFields);
//   p.Feed(bytes);                           // any split of the stream
//   while (auto fields = p.Next()) { auto req = ParseRequest(*fields); ... }
//   if (p.failed()) ...                      // protocol error: drop the peer
//
// Every record is a fixed number of fields, each ended by a NUL byte:
//   request: <id>\0<index>\0<local>\0<domain>\0<sender>\0<more>\0 (6 fields)
//   result:  <id>\0<index>\0<status>\0<text>\0                    (4 fields)
// more is 1 when the next request belongs to the same delivery and 0 on the
// last one: yubin-send hands the remote recipients of one domain to
// yubin-rspawn together (one yubin-remote run, one SMTP connection), at most
// kMaxDeliveryRequests of them; a local delivery is always one request.
// Results come back one per request, in any order.
// id and index are decimal; status is 0 (delivered), 100 (permanent) or 111
// (temporary); text is the agent's output (at most kMaxResultText bytes, NUL
// bytes replaced). A field longer than kMaxFieldBytes, or more than
// kMaxBufferedRecords complete records waiting, makes the parser fail
// (sticky); a record with a malformed number or status is rejected by
// ParseRequest/ParseResult (nullopt).
#ifndef YUBIN_LIB_QUEUE_DELIVERY_RECORDS_H_
#define YUBIN_LIB_QUEUE_DELIVERY_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yubin::queue {

inline constexpr size_t kRequestFields = 6;
inline constexpr size_t kResultFields = 4;
inline constexpr size_t kMaxFieldBytes = 4096;
inline constexpr size_t kMaxResultText = 4000;
inline constexpr size_t kMaxBufferedRecords = 1024;
// What a reader of the socket reads at once before draining the parser with
// Next(): even records of the smallest size (8 bytes) stay under
// kMaxBufferedRecords, however many yubin-send has written.
inline constexpr size_t kRecordReadBytes = 4096;
static_assert(kRecordReadBytes / 8 < kMaxBufferedRecords);
inline constexpr size_t kMaxDeliveryRequests = 100;

struct DeliveryRequest {
  uint64_t id = 0;
  uint64_t index = 0;
  std::string local;
  std::string domain;
  std::string sender;
  bool more = false;  // the next request is part of the same delivery
};

// The requests one run of a delivery program serves.
using Delivery = std::vector<DeliveryRequest>;

// The distinct message ids of a delivery, in order of first appearance.
std::vector<uint64_t> MessagesOf(const Delivery& delivery);

struct DeliveryResult {
  uint64_t id = 0;
  uint64_t index = 0;
  int status = 111;
  std::string text;
};

std::string FormatRequest(const DeliveryRequest& r);
std::string FormatResult(const DeliveryResult& r);

class RecordParser {
 public:
  explicit RecordParser(size_t fields_per_record) : fields_(fields_per_record) {}
  // Consumes all of data (nothing once failed).
  void Feed(std::string_view data);
  // The next complete record's fields, if any.
  std::optional<std::vector<std::string>> Next();
  bool failed() const { return failed_; }
  // True when a record has started but is not complete.
  bool partial() const { return !current_.empty() || !field_.empty(); }

 private:
  size_t fields_;
  bool failed_ = false;
  std::string field_;
  std::vector<std::string> current_;
  std::deque<std::vector<std::string>> ready_;
};

std::optional<DeliveryRequest> ParseRequest(const std::vector<std::string>& f);
std::optional<DeliveryResult> ParseResult(const std::vector<std::string>& f);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_DELIVERY_RECORDS_H_
