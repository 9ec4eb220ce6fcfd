// address.h: RFC 5321 paths (the <...> of MAIL FROM and RCPT TO) and domains.
//
//   Result<Path> p = ParsePath("<@relay.example:user@example.com>",
//                              PathKind::kForward);
//   if (!p.ok()) reply("501 5.1.3 " + p.status().message());
//   p->mailbox.local == "user", p->mailbox.domain == "example.com"
//
// Strict and bounded: the path is at most kMaxPathBytes (256, brackets
// included), the local part kMaxLocalPartBytes (64) and the domain
// kMaxDomainBytes (255). Source routes are parsed and dropped (RFC 5321
// appendix C). Only 7-bit printable text is accepted. Failures are permanent
// Status values whose message says what is wrong, for the SMTP reply.
#ifndef YUBIN_LIB_ADDRESS_ADDRESS_H_
#define YUBIN_LIB_ADDRESS_ADDRESS_H_

#include <string>
#include <string_view>

#include "lib/base/status.h"

namespace yubin::address {

inline constexpr size_t kMaxPathBytes = 256;
inline constexpr size_t kMaxLocalPartBytes = 64;
inline constexpr size_t kMaxDomainBytes = 255;
inline constexpr size_t kMaxLabelBytes = 63;

struct Mailbox {
  std::string local;   // unquoted value: "\"a b\"@x" gives `a b`
  std::string domain;  // as sent; "[1.2.3.4]" for a literal; empty only for
                       // the bare <postmaster> recipient
  bool domain_is_literal = false;

  // "local@domain", the local part quoted again when it needs it; "" for the
  // null sender.
  std::string ToString() const;
};

enum class PathKind {
  kReverse,  // MAIL FROM: "<>" (the null sender) is allowed
  kForward,  // RCPT TO: "<postmaster>" without a domain is allowed
};

struct Path {
  bool is_null = false;  // "<>"
  Mailbox mailbox;
};

// Parses text, which must be exactly one path ("<...>").
Result<Path> ParsePath(std::string_view text, PathKind kind);

// A dot-separated host name of letters, digits and hyphens (RFC 5321
// "Domain"), at most kMaxDomainBytes with labels of at most 63.
bool IsValidDomain(std::string_view domain);

// "[1.2.3.4]" or "[IPv6:...]" with a valid address inside.
bool IsValidAddressLiteral(std::string_view literal);

// True when the local part carries another routing layer: '%' (percent
// hack), '!' (bang path) or '@' (a quoted "u@d"). Such recipients are never
// relayed.
bool IsRoutedLocalPart(std::string_view local);

}  // namespace yubin::address

#endif  // YUBIN_LIB_ADDRESS_ADDRESS_H_
