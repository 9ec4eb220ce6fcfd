// delivery_records.cc: see delivery_records.h.
#include "lib/queue/delivery_records.h"

#include <algorithm>

#include "lib/control/control_file.h"

namespace yubin::queue {
namespace {

void Field(std::string* out, std::string_view value) {
  std::string v(value.substr(0, kMaxFieldBytes));
  std::replace(v.begin(), v.end(), '\0', ' ');
  out->append(v);
  out->push_back('\0');
}

}  // namespace

std::string FormatRequest(const DeliveryRequest& r) {
  std::string out;
  Field(&out, std::to_string(r.id));
  Field(&out, std::to_string(r.index));
  Field(&out, r.local);
  Field(&out, r.domain);
  Field(&out, r.sender);
  Field(&out, r.more ? "1" : "0");
  return out;
}

std::string FormatResult(const DeliveryResult& r) {
  std::string out;
  Field(&out, std::to_string(r.id));
  Field(&out, std::to_string(r.index));
  Field(&out, std::to_string(r.status));
  Field(&out, std::string_view(r.text).substr(0, kMaxResultText));
  return out;
}

void RecordParser::Feed(std::string_view data) {
  for (char c : data) {
    if (failed_) return;
    if (c != '\0') {
      if (field_.size() >= kMaxFieldBytes) {
        failed_ = true;
        return;
      }
      field_.push_back(c);
      continue;
    }
    current_.push_back(std::move(field_));
    field_.clear();
    if (current_.size() == fields_) {
      if (ready_.size() >= kMaxBufferedRecords) {
        failed_ = true;
        return;
      }
      ready_.push_back(std::move(current_));
      current_.clear();
    }
  }
}

std::optional<std::vector<std::string>> RecordParser::Next() {
  if (ready_.empty()) return std::nullopt;
  std::vector<std::string> r = std::move(ready_.front());
  ready_.pop_front();
  return r;
}

std::vector<uint64_t> MessagesOf(const Delivery& delivery) {
  std::vector<uint64_t> ids;
  for (const DeliveryRequest& r : delivery) {
    if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) ids.push_back(r.id);
  }
  return ids;
}

std::optional<DeliveryRequest> ParseRequest(const std::vector<std::string>& f) {
  if (f.size() != kRequestFields) return std::nullopt;
  auto id = control::ParseDecimal(f[0], UINT64_MAX);
  auto index = control::ParseDecimal(f[1], UINT64_MAX);
  if (!id || !index || f[2].empty()) return std::nullopt;
  if (f[5] != "0" && f[5] != "1") return std::nullopt;
  return DeliveryRequest{*id, *index, f[2], f[3], f[4], f[5] == "1"};
}

std::optional<DeliveryResult> ParseResult(const std::vector<std::string>& f) {
  if (f.size() != kResultFields) return std::nullopt;
  auto id = control::ParseDecimal(f[0], UINT64_MAX);
  auto index = control::ParseDecimal(f[1], UINT64_MAX);
  auto status = control::ParseDecimal(f[2], 999);
  if (!id || !index || !status) return std::nullopt;
  if (*status != 0 && *status != 100 && *status != 111) return std::nullopt;
  return DeliveryResult{*id, *index, static_cast<int>(*status), f[3]};
}

}  // namespace yubin::queue
