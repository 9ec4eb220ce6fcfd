#include "lib/address/address.h"

#include <arpa/inet.h>

namespace yubin::address {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetDig(char c) { return IsAlpha(c) || IsDigit(c); }

// RFC 5322 atext.
bool IsAtext(char c) {
  if (IsLetDig(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '/': case '=': case '?': case '^': case '_':
    case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool IsDotString(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Status Bad(std::string why) { return Status::Permanent(std::move(why)); }

// Parses a local part at the start of s; on success *consumed is its length
// in s and *value its unquoted value.
Status ParseLocalPart(std::string_view s, size_t* consumed,
                      std::string* value) {
  value->clear();
  if (!s.empty() && s.front() == '"') {
    size_t i = 1;
    for (;;) {
      if (i >= s.size()) return Bad("unterminated quoted local part");
      char c = s[i];
      if (c == '"') break;
      if (c == '\\') {
        if (i + 1 >= s.size()) return Bad("unterminated quoted local part");
        char q = s[i + 1];
        if (q < 32 || q > 126) return Bad("bad quoted character");
        value->push_back(q);
        i += 2;
        continue;
      }
      if (c < 32 || c > 126) return Bad("bad character in quoted local part");
      value->push_back(c);
      ++i;
    }
    *consumed = i + 1;
  } else {
    size_t i = 0;
    while (i < s.size() && (IsAtext(s[i]) || s[i] == '.')) ++i;
    *consumed = i;
    value->assign(s.substr(0, i));
    if (!IsDotString(*value)) return Bad("malformed local part");
  }
  if (*consumed > kMaxLocalPartBytes) {
    return Bad("local part longer than 64 characters");
  }
  return Status::Ok();
}

Status CheckDomain(std::string_view d, bool* literal) {
  *literal = !d.empty() && d.front() == '[';
  if (d.size() > kMaxDomainBytes) return Bad("domain longer than 255 characters");
  if (*literal) {
    if (!IsValidAddressLiteral(d)) return Bad("malformed address literal");
    return Status::Ok();
  }
  if (!IsValidDomain(d)) return Bad("malformed domain");
  return Status::Ok();
}

}  // namespace

bool IsValidDomain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomainBytes) return false;
  size_t label = 0;
  char prev = '.';
  for (char c : d) {
    if (c == '.') {
      if (prev == '.' || prev == '-') return false;
      label = 0;
    } else if (IsLetDig(c)) {
      if (++label > kMaxLabelBytes) return false;
    } else if (c == '-') {
      if (prev == '.') return false;
      if (++label > kMaxLabelBytes) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return prev != '.' && prev != '-';
}

bool IsValidAddressLiteral(std::string_view lit) {
  if (lit.size() < 3 || lit.front() != '[' || lit.back() != ']') return false;
  std::string inner(lit.substr(1, lit.size() - 2));
  unsigned char buf[16];
  constexpr std::string_view kV6 = "IPv6:";
  if (inner.size() > kV6.size() &&
      std::string_view(inner).substr(0, kV6.size()) == kV6) {
    return inet_pton(AF_INET6, inner.c_str() + kV6.size(), buf) == 1;
  }
  // inet_pton accepts only the strict dotted quad for AF_INET.
  return inet_pton(AF_INET, inner.c_str(), buf) == 1;
}

bool IsRoutedLocalPart(std::string_view local) {
  return local.find_first_of("%!@") != std::string_view::npos;
}

std::string Mailbox::ToString() const {
  std::string out;
  if (local.empty() && domain.empty()) return out;  // the null sender
  if (IsDotString(local)) {
    out = local;
  } else {
    out.push_back('"');
    for (char c : local) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  if (!domain.empty()) {
    out.push_back('@');
    out += domain;
  }
  return out;
}

Result<Path> ParsePath(std::string_view text, PathKind kind) {
  if (text.size() > kMaxPathBytes) return Bad("path longer than 256 characters");
  for (char c : text) {
    if (c < 32 || c > 126) return Bad("bad character in path");
  }
  if (text.size() < 2 || text.front() != '<' || text.back() != '>') {
    return Bad("path must be enclosed in <>");
  }
  std::string_view s = text.substr(1, text.size() - 2);
  Path path;
  if (s.empty()) {
    if (kind != PathKind::kReverse) return Bad("empty recipient");
    path.is_null = true;
    return path;
  }
  // A source route "@a,@b:" is checked and dropped.
  if (s.front() == '@') {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) return Bad("malformed source route");
    std::string_view route = s.substr(0, colon);
    while (!route.empty()) {
      if (route.front() != '@') return Bad("malformed source route");
      size_t comma = route.find(',');
      std::string_view hop = route.substr(1, comma == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : comma - 1);
      bool literal = false;
      if (Status st = CheckDomain(hop, &literal); !st.ok()) {
        return Bad("malformed source route");
      }
      if (comma == std::string_view::npos) break;
      route.remove_prefix(comma + 1);
      if (route.empty()) return Bad("malformed source route");
    }
    s.remove_prefix(colon + 1);
  }
  size_t consumed = 0;
  if (Status st = ParseLocalPart(s, &consumed, &path.mailbox.local); !st.ok()) {
    return st;
  }
  s.remove_prefix(consumed);
  if (s.empty()) {
    if (kind == PathKind::kForward && consumed == 10 &&
        EqualsIgnoreCase(path.mailbox.local, "postmaster")) {
      return path;
    }
    return Bad("address needs a domain");
  }
  if (s.front() != '@') return Bad("malformed address");
  s.remove_prefix(1);
  bool literal = false;
  if (Status st = CheckDomain(s, &literal); !st.ok()) return st;
  path.mailbox.domain = std::string(s);
  path.mailbox.domain_is_literal = literal;
  return path;
}

}  // namespace yubin::address
