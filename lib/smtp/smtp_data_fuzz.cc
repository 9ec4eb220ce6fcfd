// libFuzzer target for the DATA decoder: one-shot and byte-at-a-time
// decoding must agree, and the output is never larger than the input.
//   bazel build --config=fuzz //lib/smtp:smtp_data_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/smtp/data_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  yubin::smtp::DataDecoder whole(64), bytewise(64);
  std::string out1, out2;
  size_t used1 = whole.Feed(in, &out1);
  size_t used2 = 0;
  while (used2 < in.size() && !bytewise.done()) {
    used2 += bytewise.Feed(in.substr(used2, 1), &out2);
  }
  if (used1 != used2 || out1 != out2 || whole.done() != bytewise.done()) {
    std::abort();
  }
  if (out1.size() > in.size() || out1.size() > 64) std::abort();
  if (whole.done() && in.substr(0, used1).size() < 3) std::abort();
  return 0;
}
