// bounce_message.h: the failure notice sent for a message's failed
// recipients, in qmail's QSBMF format.
//
//   BounceSettings s{.me = "mx.example.com", .bouncefrom = "MAILER-DAEMON",
//                    .bouncehost = "mx.example.com", ...};
//   std::optional<BouncePlan> plan = PlanBounce(s, original_sender);
//   if (!plan) { log "double bounce dropped"; }
//   std::string text = BuildBounce(s, *plan, failures, message_text, now);
//   inject text with plan->sender / plan->recipient
//
// Who gets it: a message from a real sender bounces to that sender with the
// empty sender "<>"; a failed bounce (sender "<>") becomes a double bounce to
// doublebounceto (an address without '@' gets "@doublebouncehost") with the
// sender "#@[]"; a failed double bounce (sender "#@[]") is not sent at all
// (PlanBounce returns nullopt: the caller logs and drops it). The body lists
// every failed recipient once ("<address>:" then its reason), then a copy of
// the original message cut at kBounceCopyLimit bytes. Never fails.
#ifndef YUBIN_LIB_QUEUE_BOUNCE_MESSAGE_H_
#define YUBIN_LIB_QUEUE_BOUNCE_MESSAGE_H_

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yubin::queue {

inline constexpr size_t kBounceCopyLimit = 100000;
inline constexpr char kDoubleBounceSender[] = "#@[]";

struct BounceSettings {
  std::string me;                // control/me: named in the text
  std::string bouncefrom = "MAILER-DAEMON";
  std::string bouncehost;        // default me
  std::string doublebounceto = "postmaster";
  std::string doublebouncehost;  // default me
};

struct BounceFailure {
  std::string recipient;
  std::string reason;
};

struct BouncePlan {
  bool double_bounce = false;
  std::string sender;     // envelope sender of the bounce
  std::string recipient;  // the one envelope recipient
  std::string from;       // From: address
};

std::optional<BouncePlan> PlanBounce(const BounceSettings& s,
                                     std::string_view original_sender);

// The whole bounce message (header and body, LF line ends).
std::string BuildBounce(const BounceSettings& s, const BouncePlan& plan,
                        const std::vector<BounceFailure>& failures,
                        std::string_view original_message, time_t now);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_BOUNCE_MESSAGE_H_
