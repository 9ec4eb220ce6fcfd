// libFuzzer target for the SMTP reply assembler.
//   bazel build --config=fuzz //lib/smtpclient:reply_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/smtpclient/reply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yubin::smtpclient::Reply reply;
  if (yubin::smtpclient::ParseReplyText(text, &reply) ==
      yubin::smtpclient::ReplyFeed::kDone) {
    if (reply.code < 200 || reply.code > 599) std::abort();
    if (reply.lines.size() > yubin::smtpclient::kMaxReplyLines) std::abort();
    std::string t = reply.Text();
    if (t.size() > yubin::smtpclient::kMaxReplyTextBytes) std::abort();
    for (char c : t) {
      if (static_cast<unsigned char>(c) < 32) std::abort();
    }
  }
  return 0;
}
