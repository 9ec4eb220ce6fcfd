// delivery_records_fuzz.cc: feeds arbitrary bytes, split at an arbitrary
// point, to the delivery record parser, and checks the round trip of every
// record it accepts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/queue/delivery_records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  for (size_t fields : {yubin::queue::kRequestFields, yubin::queue::kResultFields}) {
    yubin::queue::RecordParser p(fields);
    p.Feed(in.substr(0, cut));
    p.Feed(in.substr(cut));
    while (auto rec = p.Next()) {
      if (rec->size() != fields) std::abort();
      if (auto r = yubin::queue::ParseResult(*rec)) {
        yubin::queue::RecordParser back(yubin::queue::kResultFields);
        back.Feed(yubin::queue::FormatResult(*r));
        auto again = back.Next();
        if (!again || !yubin::queue::ParseResult(*again)) std::abort();
      }
      if (auto q = yubin::queue::ParseRequest(*rec)) {
        yubin::queue::RecordParser back(yubin::queue::kRequestFields);
        back.Feed(yubin::queue::FormatRequest(*q));
        auto again = back.Next();
        if (!again || !yubin::queue::ParseRequest(*again)) std::abort();
      }
    }
  }
  return 0;
}
