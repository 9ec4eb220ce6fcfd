// libFuzzer target for DataEncoder: whatever the input and however it is
// split, the output never holds a bare CR or LF, and the only line that is
// exactly "." is the final one.
//   bazel build --config=fuzz //lib/smtpclient:data_encoder_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/smtpclient/data_encoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string whole, split;
  {
    yubin::smtpclient::DataEncoder enc;
    enc.Encode(text, &whole);
    enc.Finish(&whole);
  }
  {
    yubin::smtpclient::DataEncoder enc;
    size_t cut = size == 0 ? 0 : data[0] % (size + 1);
    enc.Encode(text.substr(0, cut), &split);
    enc.Encode(text.substr(cut), &split);
    enc.Finish(&split);
  }
  if (whole != split) std::abort();
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i] == '\r' && (i + 1 >= whole.size() || whole[i + 1] != '\n')) {
      std::abort();
    }
    if (whole[i] == '\n' && (i == 0 || whole[i - 1] != '\r')) std::abort();
  }
  size_t end = whole.find("\r\n.\r\n");
  if (end != std::string::npos && end + 5 != whole.size()) std::abort();
  if (whole.size() < 3 || whole.compare(whole.size() - 3, 3, ".\r\n") != 0) {
    std::abort();
  }
  return 0;
}
