#include "lib/dns/mx_order.h"

#include <algorithm>

namespace yubin::dns {

Result<std::vector<MxRecord>> OrderMxRecords(
    std::vector<MxRecord> records,
    const std::function<bool(const std::string&)>& is_us, std::mt19937& rng) {
  // Shuffle first, then a stable sort by preference: equal ones stay random.
  std::shuffle(records.begin(), records.end(), rng);
  std::stable_sort(records.begin(), records.end(),
                   [](const MxRecord& a, const MxRecord& b) {
                     return a.preference < b.preference;
                   });
  uint32_t ours = UINT32_MAX;
  for (const MxRecord& r : records) {
    if (is_us(r.host)) {
      ours = r.preference;
      break;  // sorted: the first one of ours is our best preference
    }
  }
  if (ours == UINT32_MAX) return records;
  std::vector<MxRecord> better;
  for (const MxRecord& r : records) {
    if (r.preference < ours) better.push_back(r);
  }
  if (better.empty()) {
    return Status::Permanent(
        "Sorry. Although I'm listed as a best-preference MX or A for that "
        "host, it isn't in my control/locals file, so I don't treat it as "
        "local. (#5.4.6)");
  }
  return better;
}

}  // namespace yubin::dns
