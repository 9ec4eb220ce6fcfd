#include "lib/qtools/state_records.h"

#include <limits>

#include "lib/control/control_file.h"
#include "lib/queue/envelope.h"

namespace yubin::qtools {
namespace {

// Splits the next NUL-terminated record off *rest; nullopt when no NUL is
// left (a truncated record).
std::optional<std::string_view> TakeRecord(std::string_view* rest) {
  size_t nul = rest->find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  std::string_view record = rest->substr(0, nul);
  rest->remove_prefix(nul + 1);
  return record;
}

Status Bad(std::string_view file_kind, size_t index, std::string_view why) {
  return Status::Permanent(std::string(file_kind) + " file: record " +
                           std::to_string(index + 1) + ": " + std::string(why));
}

}  // namespace

Result<InfoRecords> ParseInfoFile(std::string_view file) {
  InfoRecords out;
  bool seen_sender = false;
  bool seen_uid = false;
  bool seen_pid = false;
  std::string_view rest = file;
  for (size_t index = 0; !rest.empty(); ++index) {
    std::optional<std::string_view> record = TakeRecord(&rest);
    if (!record) return Bad("info", index, "no terminating NUL");
    if (record->empty()) return Bad("info", index, "empty record");
    std::string_view body = record->substr(1);
    switch ((*record)[0]) {
      case 'F':
        if (seen_sender) return Bad("info", index, "second sender");
        if (body.size() > queue::kMaxAddressLength) {
          return Bad("info", index, "sender too long");
        }
        out.sender = std::string(body);
        seen_sender = true;
        break;
      case 't': {
        if (out.birth) return Bad("info", index, "second birth time");
        std::optional<uint64_t> t = control::ParseDecimal(
            body, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
        if (!t) return Bad("info", index, "birth time is not a number");
        out.birth = static_cast<int64_t>(*t);
        break;
      }
      case 'u':
      case 'p': {
        bool& seen = (*record)[0] == 'u' ? seen_uid : seen_pid;
        if (seen) return Bad("info", index, "repeated injector record");
        if (!control::ParseDecimal(body, std::numeric_limits<uint32_t>::max())) {
          return Bad("info", index, "injector record is not a number");
        }
        seen = true;
        break;
      }
      default:
        return Bad("info", index, "unknown record type");
    }
  }
  if (!seen_sender) return Status::Permanent("info file: no sender record");
  return out;
}

Result<std::vector<RecipientRecord>> ParseRecipientRecords(
    std::string_view file) {
  std::vector<RecipientRecord> out;
  std::string_view rest = file;
  for (size_t index = 0; !rest.empty(); ++index) {
    std::optional<std::string_view> record = TakeRecord(&rest);
    if (!record) return Bad("recipient", index, "no terminating NUL");
    if (record->empty()) return Bad("recipient", index, "empty record");
    char state = (*record)[0];
    if (state != 'T' && state != 'D') {
      return Bad("recipient", index, "state is neither T nor D");
    }
    if (record->size() - 1 > queue::kMaxAddressLength) {
      return Bad("recipient", index, "address too long");
    }
    // The delivery address the manager derived (docs/queue.md).
    std::optional<std::string_view> delivery = TakeRecord(&rest);
    if (!delivery) return Bad("recipient", index, "no delivery address");
    if (delivery->size() > queue::kMaxAddressLength + kMaxPrependLength) {
      return Bad("recipient", index, "delivery address too long");
    }
    out.push_back({state == 'D', std::string(record->substr(1)), std::string(*delivery)});
  }
  return out;
}

std::string FormatInfoFile(const InfoRecords& info) {
  std::string out;
  if (info.birth) out += 't' + std::to_string(*info.birth) + '\0';
  out += 'F' + info.sender + '\0';
  return out;
}

std::string FormatRecipientRecords(
    const std::vector<RecipientRecord>& records) {
  std::string out;
  for (const RecipientRecord& r : records) {
    out += (r.done ? 'D' : 'T') + r.address + '\0' + r.delivery + '\0';
  }
  return out;
}

}  // namespace yubin::qtools
