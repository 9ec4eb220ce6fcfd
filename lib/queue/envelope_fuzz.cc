// libFuzzer target for the envelope parser and the envelope-file reader.
//   bazel build --config=fuzz //lib/queue:envelope_fuzz && bazel-bin/lib/queue/envelope_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/queue/envelope.h"

using yubin::queue::EnvelopeParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Fed whole or byte by byte, the parser must reach the same state at the
  // same byte, and collecting must not change the outcome.
  EnvelopeParser whole(/*collect=*/true);
  size_t used_whole = whole.Feed(text);
  EnvelopeParser bytewise(/*collect=*/false);
  size_t used_bytewise = 0;
  while (used_bytewise < text.size() &&
         bytewise.state() == EnvelopeParser::State::kNeedMore) {
    used_bytewise += bytewise.Feed(text.substr(used_bytewise, 1));
  }
  if (whole.state() != bytewise.state() || used_whole != used_bytewise ||
      whole.recipient_count() != bytewise.recipient_count()) {
    std::abort();
  }
  if (whole.sender().size() > yubin::queue::kMaxAddressLength) std::abort();
  for (const std::string& r : whole.recipients()) {
    if (r.size() > yubin::queue::kMaxAddressLength) std::abort();
  }
  // A parsed envelope file re-serialises to the same bytes.
  yubin::Result<yubin::queue::QueuedEnvelope> file =
      yubin::queue::ParseQueuedEnvelope(text);
  if (file.ok()) {
    std::string again = yubin::queue::FormatInjectorRecords(
        file->uid, file->pid, file->birth);
    again += 'F' + file->sender + '\0';
    for (const std::string& r : file->recipients) again += 'T' + r + '\0';
    again += '\0';
    if (file->check) {
      if (again.size() != file->checked_bytes) std::abort();
      again += yubin::queue::FormatMessageCheck(*file->check);
    }
    if (again != text) std::abort();
  }
  return 0;
}
