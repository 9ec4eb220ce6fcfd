// libFuzzer target for the header reader and the address-list parser.
//   bazel build --config=fuzz //lib/inject:header_address_fuzz
//   bazel-bin/lib/inject/header_address_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/inject/address_list.h"
#include "lib/inject/message_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yubin::Result<std::vector<yubin::inject::HeaderAddress>> list =
      yubin::inject::ParseAddressList(text);
  if (list.ok()) {
    size_t last_end = 0;
    for (const yubin::inject::HeaderAddress& a : *list) {
      // Offsets are where qualification inserts text: in order, in range.
      if (a.end < last_end || a.end > text.size() || a.address.empty() ||
          a.address.size() > yubin::inject::kMaxAddressBytes) {
        std::abort();
      }
      last_end = a.end;
    }
    // Qualifying adds to addresses, never removes them (checked where the
    // added suffix cannot push an address over the length limit).
    bool short_enough = true;
    for (const yubin::inject::HeaderAddress& a : *list) {
      short_enough = short_enough &&
                     a.address.size() + 64 < yubin::inject::kMaxAddressBytes;
    }
    if (short_enough) {
      std::string q = yubin::inject::QualifyAddressList(text, "h.example", "example");
      yubin::Result<std::vector<yubin::inject::HeaderAddress>> again =
          yubin::inject::ParseAddressList(q);
      if (!again.ok() || again->size() != list->size()) std::abort();
    }
  }
  yubin::Result<yubin::inject::MessageHeader> header =
      yubin::inject::ParseMessageHeader(text);
  if (header.ok()) {
    for (const yubin::inject::HeaderField& f : header->fields) {
      if (f.text.size() > yubin::inject::kMaxHeaderFieldBytes) std::abort();
      (void)yubin::inject::ParseAddressList(yubin::inject::FieldBody(f));
    }
  }
  return 0;
}
