// libFuzzer target for the info and recipient-state file parsers.
//   bazel build --config=fuzz //lib/qtools:state_records_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/qtools/state_records.h"
#include "lib/queue/envelope.h"

using yubin::qtools::FormatInfoFile;
using yubin::qtools::FormatRecipientRecords;
using yubin::qtools::ParseInfoFile;
using yubin::qtools::ParseRecipientRecords;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Recipient records re-serialise to exactly the same bytes.
  auto records = ParseRecipientRecords(text);
  if (records.ok()) {
    for (const auto& r : *records) {
      if (r.address.size() > yubin::queue::kMaxAddressLength) std::abort();
    }
    if (FormatRecipientRecords(*records) != text) std::abort();
  }
  // An info file parses to the same sender and birth after a round trip.
  auto info = ParseInfoFile(text);
  if (info.ok()) {
    if (info->sender.size() > yubin::queue::kMaxAddressLength) std::abort();
    auto again = ParseInfoFile(FormatInfoFile(*info));
    if (!again.ok() || again->sender != info->sender ||
        again->birth != info->birth) {
      std::abort();
    }
  }
  return 0;
}
