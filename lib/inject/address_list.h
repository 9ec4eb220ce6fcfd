// address_list.h: the addresses in an RFC 5322 address-list header field.
//
//   Result<std::vector<HeaderAddress>> r =
//       ParseAddressList("Joe (home) <joe@example.com>, team: ann, bob;");
//   // r->at(0).address == "joe@example.com", r->at(1).address == "ann"
//   std::string fixed = QualifyAddressList(body, "mail.example.com", "example.com");
//
// Understands display names, angle addresses (source routes dropped),
// comments (nested), quoted strings, groups and folded lines. Each address
// comes with the offset in the field body right after its addr-spec, where
// a missing "@host" or ".domain" is inserted, so rewriting keeps every
// comment and name as written. Fails (permanent) on an unclosed comment,
// quote or angle bracket, on nesting deeper than kMaxCommentDepth, and on
// an address longer than kMaxAddressBytes (qmail's limit); never reads past
// the body it is given.
#ifndef YUBIN_LIB_INJECT_ADDRESS_LIST_H_
#define YUBIN_LIB_INJECT_ADDRESS_LIST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::inject {

inline constexpr size_t kMaxAddressBytes = 1003;
inline constexpr int kMaxCommentDepth = 64;

struct HeaderAddress {
  std::string address;  // local@domain as the envelope wants it, unquoted
  size_t end = 0;       // offset in the body just after the addr-spec
};

Result<std::vector<HeaderAddress>> ParseAddressList(std::string_view body);

// "joe" -> "joe@<host>"; "joe@box" -> "joe@box.<domain>"; addresses with a
// dotted domain or a domain literal are left alone. Empty stays empty.
std::string QualifyAddress(std::string_view address, std::string_view host,
                           std::string_view domain);

// The field body with every address qualified in place (see above).
// A body that does not parse is returned unchanged.
std::string QualifyAddressList(std::string_view body, std::string_view host,
                               std::string_view domain);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_ADDRESS_LIST_H_
