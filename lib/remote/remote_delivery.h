// remote_delivery.h: delivering messages for one domain over SMTP, and the
// yubin-remote program around it.
//
//   RemoteDelivery rd(control, resolver, tcpto_path, LocalAddresses());
//   std::vector<MessageOutcome> out = rd.DeliverBatch("example.com", msgs);
//
// DeliverBatch plans the targets (route_plan.h) and tries them in order:
// an address in the tcpto memory is skipped; a connect that times out is
// remembered there; a refused or failed connect, or a greeting/EHLO that
// fails, moves on to the next target. On the first good session every
// message of the batch is sent over that one connection (RSET between).
// Messages it could not reach any server for get a temporary outcome (or
// the permanent one when the route itself is permanently wrong, or the last
// server refused us with 5xx at the greeting). With next given, the run goes
// on after the batch: next(socket of the open session, or -1 when there is
// none; &lost) returns the following batch for the same domain, sent over
// the same session while it is usable and next did not set lost (the
// server closed it meanwhile; a new session is opened then), or nullopt to
// QUIT.
//
// RunRemote is yubin-remote: `yubin-remote host sender recip...` with the
// message on in_fd, or `yubin-remote --batch host sender1 count1 recip...
// sender2 count2 recip...` with message k (from 0) on descriptor 3 + k, all
// sent over one connection; the reports (FormatReport), one per message in
// order, each written to out_fd as soon as that message is done. Returns the
// exit code: 0 when every report was written, 100 for usage, 111 when it
// could not run (control files, a message, output). yubin-rspawn passes
// next to keep a run (and its connection) for further batches.
#ifndef YUBIN_LIB_REMOTE_REMOTE_DELIVERY_H_
#define YUBIN_LIB_REMOTE_REMOTE_DELIVERY_H_

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/control/remote_control.h"
#include "lib/dns/resolver.h"
#include "lib/remote/route_plan.h"
#include "lib/smtpclient/session.h"

namespace yubin::remote {

inline constexpr size_t kMaxReportTextBytes = 1000;
inline constexpr size_t kMaxRemoteRecipients = 10000;
inline constexpr size_t kMaxBatchMessages = 1000;

// The next batch of a kept run: see DeliverBatch.
using NextBatch = std::function<std::optional<std::vector<smtpclient::OutgoingMessage>>(
    int connection, bool* lost)>;

class RemoteDelivery {
 public:
  RemoteDelivery(const control::RemoteControl& control, dns::DnsLookup& dns,
                 std::string tcpto_path, std::vector<dns::IpAddress> ours);
  // ours is called once, when a route first needs our addresses (an MX
  // route's loop rule; never for a route with a relay).
  RemoteDelivery(const control::RemoteControl& control, dns::DnsLookup& dns,
                 std::string tcpto_path, std::function<std::vector<dns::IpAddress>()> ours);
  // done, when given, is called with each outcome, in order, as soon as it
  // is final. Returns the outcomes of the last batch.
  std::vector<smtpclient::MessageOutcome> DeliverBatch(
      const std::string& domain,
      const std::vector<smtpclient::OutgoingMessage>& messages,
      const std::function<void(const smtpclient::MessageOutcome&)>& done = {},
      const NextBatch& next = {});
  // For tests: the clock used for the tcpto memory.
  void set_clock(std::function<time_t()> clock) { clock_ = std::move(clock); }

 private:
  // A session open on the first target that takes one, or nullopt after
  // emitting every message's failure.
  std::optional<smtpclient::SmtpSession> Connect(
      const std::string& domain, const std::vector<smtpclient::OutgoingMessage>& messages,
      const std::function<void(smtpclient::MessageOutcome)>& emit);

  const control::RemoteControl& control_;
  dns::DnsLookup& dns_;
  std::string tcpto_path_;
  std::function<std::vector<dns::IpAddress>()> find_ours_;
  std::optional<std::vector<dns::IpAddress>> ours_;
  std::function<time_t()> clock_;
};

// A message ready to send: a file we can pread from offset 0.
struct PreparedMessage {
  UniqueFd fd;
  uint64_t size = 0;
  bool eight_bit = false;
};
// Uses in_fd when it is a regular file, else copies it to an unlinked
// temporary file under $TMPDIR (default /tmp). Scans for 8-bit bytes.
Result<PreparedMessage> PrepareMessage(int in_fd);

// The report: one record per recipient, in argument order, "r", "h" or "s"
// then text then NUL; then one record for the whole message, "K", "D" or
// "Z" then text then NUL. Texts are at most kMaxReportTextBytes, with every
// byte under 32 (NUL, CR, LF) and 127 replaced by '?'.
std::string FormatReport(const smtpclient::MessageOutcome& outcome);

// The command line after argv[0], as above (the messages' fds unset).
struct RemoteArguments {
  std::string host;
  std::vector<smtpclient::OutgoingMessage> messages;
  bool batch = false;
};
Result<RemoteArguments> ParseRemoteArguments(const std::vector<std::string>& args);

int RunRemote(int argc, char** argv, int in_fd, int out_fd, const NextBatch& next = {});

}  // namespace yubin::remote

#endif  // YUBIN_LIB_REMOTE_REMOTE_DELIVERY_H_
