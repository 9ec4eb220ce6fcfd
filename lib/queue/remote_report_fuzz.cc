// remote_report_fuzz.cc: feeds arbitrary bytes to yubin-remote's report
// parser and to the result translation; every accepted report must have
// exactly the asked-for records with valid letters, and every result a
// valid status and a bounded text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/queue/remote_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t recipients = data[0] % 4;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (auto rep = yubin::queue::ParseRemoteReport(in, recipients)) {
    if (rep->recipients.size() != recipients) std::abort();
    for (const auto& e : rep->recipients) {
      if (std::string_view("rhs").find(e.code) == std::string_view::npos) std::abort();
    }
    if (std::string_view("KDZ").find(rep->message.code) == std::string_view::npos) std::abort();
  }
  yubin::queue::DeliveryResult r =
      yubin::queue::RemoteResult({1, 0, "a", "b.test", "c@d"}, 0, std::string(in));
  if (r.status != 0 && r.status != 100 && r.status != 111) std::abort();
  if (r.text.size() > 2 * yubin::queue::kMaxRemoteReportBytes) std::abort();
  return 0;
}
