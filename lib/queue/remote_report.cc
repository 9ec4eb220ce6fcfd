// remote_report.cc: see remote_report.h.
#include "lib/queue/remote_report.h"

#include <sys/wait.h>

#include "lib/queue/agent_server.h"

namespace yubin::queue {

std::optional<RemoteReport> ParseRemoteReport(std::string_view report, size_t recipients) {
  if (report.size() > kMaxRemoteReportBytes) return std::nullopt;
  RemoteReport out;
  size_t at = 0;
  for (size_t i = 0; i <= recipients; ++i) {
    size_t nul = report.find('\0', at);
    if (nul == std::string_view::npos || nul == at) return std::nullopt;
    RemoteReport::Entry e{report[at], std::string(report.substr(at + 1, nul - at - 1))};
    at = nul + 1;
    bool last = i == recipients;
    const std::string_view codes = last ? "KDZ" : "rhs";
    if (codes.find(e.code) == std::string_view::npos) return std::nullopt;
    if (last) {
      out.message = std::move(e);
    } else {
      out.recipients.push_back(std::move(e));
    }
  }
  if (at != report.size()) return std::nullopt;
  return out;
}

DeliveryResult RemoteResult(const DeliveryRequest& request, int ws,
                            const std::string& output) {
  DeliveryResult r{request.id, request.index, 111, ""};
  if (!WIFEXITED(ws)) {
    r.text = "The remote delivery program was killed by signal " +
             std::to_string(WTERMSIG(ws)) + ". (#4.3.0)";
    return r;
  }
  if (WEXITSTATUS(ws) != 0) {
    r.text = "The remote delivery program exited " + std::to_string(WEXITSTATUS(ws)) +
             " without a report. (#4.3.0)";
    return r;
  }
  std::optional<RemoteReport> rep = ParseRemoteReport(output, 1);
  if (!rep) {
    r.text = "The remote delivery program wrote a malformed report. (#4.3.0)";
    return r;
  }
  const RemoteReport::Entry& rcpt = rep->recipients[0];
  r.text = rcpt.text;
  if (rcpt.code == 'h') {
    r.status = 100;
  } else if (rcpt.code == 'r') {
    if (rep->message.text != rcpt.text) r.text = AppendLine(r.text, rep->message.text);
    r.status = rep->message.code == 'K' ? 0 : rep->message.code == 'D' ? 100 : 111;
  }
  return r;
}

}  // namespace yubin::queue
