// header_rewrite.h: the header yubin-inject and sendmail actually queue.
//
//   RewriteInputs in{.defaults = d, .date = FormatMailDate(now),
//                    .message_id = MakeMessageId(now, getpid(), d.default_host),
//                    .collect_recipients = true};
//   Result<RewrittenHeader> r = RewriteHeader(header, in);
//   // r->text: the fields to queue; r->recipients: To/Cc/Bcc addresses
//
// Address fields (From, Sender, Reply-To, To, Cc, Bcc, Mail-Followup-To and
// their Resent- forms) get unqualified addresses qualified in place ("joe" ->
// joe@defaulthost, "joe@box" -> joe@box.defaultdomain). Bcc, Resent-Bcc,
// Return-Path and Content-Length are removed (the queue adds Return-Path at
// delivery). Missing From:, Date: and Message-ID: are added at the end of
// the header. Recipients come from Resent-To/Cc/Bcc when any Resent- field
// names one, else from To/Cc/Bcc. Fails (permanent) when a recipient field
// does not parse.
#ifndef YUBIN_LIB_INJECT_HEADER_REWRITE_H_
#define YUBIN_LIB_INJECT_HEADER_REWRITE_H_

#include <sys/types.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"
#include "lib/inject/inject_defaults.h"
#include "lib/inject/message_header.h"

namespace yubin::inject {

struct RewriteInputs {
  InjectDefaults defaults;
  std::string date;        // value for a missing Date:
  std::string message_id;  // value for a missing Message-ID:, with <>
  bool collect_recipients = false;
};

struct RewrittenHeader {
  std::string text;                     // fields, each ending in "\n"
  std::vector<std::string> recipients;  // qualified, in header order
};

Result<RewrittenHeader> RewriteHeader(const MessageHeader& header,
                                      const RewriteInputs& in);

// "<20261128040224.4242.0123456789abcdef@host>": UTC time, pid and 64
// random bits from libsodium, so two injections never share an id.
std::string MakeMessageId(time_t now, pid_t pid, std::string_view host);

// "From: Joe Bloggs <joe@example.com>\n", the name quoted when it holds
// characters an atom cannot, as RFC 2047 UTF-8 encoded words when it holds
// non-ASCII bytes; "From: joe@example.com\n" without a name.
std::string FormatFromField(std::string_view full_name, std::string_view address);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_HEADER_REWRITE_H_
