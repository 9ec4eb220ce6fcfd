// libFuzzer target for the SMTP command parser.
//   bazel build --config=fuzz //lib/smtp:smtp_command_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/smtp/command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  yubin::smtp::Command c = yubin::smtp::ParseCommand(line);
  if (c.error == yubin::smtp::ParseError::kNone ||
      c.error == yubin::smtp::ParseError::kSyntax) {
    // Whatever parsed is a part of a bounded, CRLF-terminated, 7-bit line.
    if (size + 1 > yubin::smtp::kMaxCommandLineBytes) std::abort();
    if (c.arg.size() > size || c.path.size() > size) std::abort();
    if (c.params.size() > yubin::smtp::kMaxParams) std::abort();
    for (char ch : c.arg) {
      if (static_cast<unsigned char>(ch) < 32 ||
          static_cast<unsigned char>(ch) > 126) {
        std::abort();
      }
    }
  }
  return 0;
}
