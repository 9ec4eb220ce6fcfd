// remote_report.cc: see remote_report.h.
#include "lib/queue/remote_report.h"

#include <sys/wait.h>

#include "lib/queue/agent_server.h"

namespace yubin::queue {

std::optional<RemoteReport> TakeRemoteReport(std::string_view* report, size_t recipients) {
  RemoteReport out;
  size_t at = 0;
  for (size_t i = 0; i <= recipients; ++i) {
    size_t nul = report->find('\0', at);
    if (nul == std::string_view::npos || nul == at || nul - at - 1 > kMaxReportTextBytes) {
      return std::nullopt;
    }
    RemoteReport::Entry e{(*report)[at], std::string(report->substr(at + 1, nul - at - 1))};
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
  report->remove_prefix(at);
  return out;
}

std::optional<RemoteReport> ParseRemoteReport(std::string_view report, size_t recipients) {
  std::optional<RemoteReport> out = TakeRemoteReport(&report, recipients);
  if (!out || !report.empty()) return std::nullopt;
  return out;
}

namespace {

DeliveryResult FromReport(const DeliveryRequest& request, const RemoteReport::Entry& rcpt,
                          const RemoteReport::Entry& message) {
  DeliveryResult r{request.id, request.index, 111, rcpt.text};
  if (rcpt.code == 'h') {
    r.status = 100;
  } else if (rcpt.code == 'r') {
    if (message.text != rcpt.text) r.text = AppendLine(r.text, message.text);
    r.status = message.code == 'K' ? 0 : message.code == 'D' ? 100 : 111;
  }
  return r;
}

// Why a message has no report.
std::string NoReport(int ws) {
  if (!WIFEXITED(ws)) {
    return "The remote delivery program was killed by signal " + std::to_string(WTERMSIG(ws)) +
           ". (#4.3.0)";
  }
  if (WEXITSTATUS(ws) != 0) {
    return "The remote delivery program exited " + std::to_string(WEXITSTATUS(ws)) +
           " without a report. (#4.3.0)";
  }
  return "The remote delivery program wrote a malformed report. (#4.3.0)";
}

}  // namespace

namespace {

// complete: only the messages whose reports are whole (ws unused).
std::vector<DeliveryResult> Results(const Delivery& delivery, int ws, const std::string& output,
                                    bool complete) {
  std::vector<DeliveryResult> out;
  std::string_view rest = output;
  bool broken = false;
  for (uint64_t id : MessagesOf(delivery)) {
    std::vector<const DeliveryRequest*> requests;
    for (const DeliveryRequest& r : delivery) {
      if (r.id == id) requests.push_back(&r);
    }
    std::optional<RemoteReport> rep;
    if (!broken) rep = TakeRemoteReport(&rest, requests.size());
    broken = !rep;
    if (broken && complete) break;
    for (size_t i = 0; i < requests.size(); ++i) {
      if (rep) {
        out.push_back(FromReport(*requests[i], rep->recipients[i], rep->message));
      } else {
        out.push_back({requests[i]->id, requests[i]->index, 111, NoReport(ws)});
      }
    }
  }
  return out;
}

}  // namespace

std::vector<DeliveryResult> RemoteResults(const Delivery& delivery, int ws,
                                          const std::string& output) {
  return Results(delivery, ws, output, false);
}

std::vector<DeliveryResult> CompletedRemoteResults(const Delivery& delivery,
                                                   const std::string& output) {
  return Results(delivery, 0, output, true);
}

DeliveryResult RemoteResult(const DeliveryRequest& request, int ws, const std::string& output) {
  return RemoteResults({request}, ws, output).front();
}

}  // namespace yubin::queue
