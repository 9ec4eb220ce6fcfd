// bounce_message.cc: see bounce_message.h.
#include "lib/queue/bounce_message.h"

#include <set>

#include "lib/base/mail_date.h"

namespace yubin::queue {

std::optional<BouncePlan> PlanBounce(const BounceSettings& s,
                                     std::string_view original_sender) {
  if (original_sender == kDoubleBounceSender) return std::nullopt;
  BouncePlan p;
  if (original_sender.empty()) {
    p.double_bounce = true;
    p.sender = kDoubleBounceSender;
    p.recipient = s.doublebounceto;
    if (p.recipient.find('@') == std::string::npos) {
      p.recipient += "@" + s.doublebouncehost;
    }
    p.from = s.bouncefrom + "@" + s.doublebouncehost;
  } else {
    p.sender = "";
    p.recipient = std::string(original_sender);
    p.from = s.bouncefrom + "@" + s.bouncehost;
  }
  return p;
}

std::string BuildBounce(const BounceSettings& s, const BouncePlan& plan,
                        const std::vector<BounceFailure>& failures,
                        std::string_view original_message, time_t now) {
  std::string out;
  out += "Date: " + FormatMailDate(now) + "\n";
  out += "From: " + plan.from + "\n";
  out += "To: " + plan.recipient + "\n";
  out += "Subject: failure notice\n\n";
  out += "Hi. This is the yubin-send program at " + s.me + ".\n";
  if (plan.double_bounce) {
    out += "I tried to deliver a bounce message to this address, but the bounce bounced!\n";
  } else {
    out += "I'm afraid I wasn't able to deliver your message to the following addresses.\n";
  }
  out += "This is a permanent error; I've given up. Sorry it didn't work out.\n\n";
  std::set<std::string> seen;
  for (const BounceFailure& f : failures) {
    if (!seen.insert(f.recipient).second) continue;
    out += "<" + f.recipient + ">:\n";
    std::string reason = f.reason;
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    out += reason.empty() ? std::string("(no reason given)") : reason;
    out += "\n\n";
  }
  if (original_message.size() > kBounceCopyLimit) {
    out += "--- Below this line is the top of the message (" +
           std::to_string(kBounceCopyLimit) + " bytes).\n\n";
    original_message = original_message.substr(0, kBounceCopyLimit);
  } else {
    out += "--- Below this line is a copy of the message.\n\n";
  }
  out.append(original_message);
  if (!original_message.empty() && original_message.back() != '\n') out += "\n";
  return out;
}

}  // namespace yubin::queue
