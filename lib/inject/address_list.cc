#include "lib/inject/address_list.h"

#include <optional>

namespace yubin::inject {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Parses one address-list. Outside angle brackets the words of a mailbox
// are joined without whitespace ("joe @ example.com" is joe@example.com);
// once an angle address is seen, the words before it were a display name.
class AddressListParser {
 public:
  explicit AddressListParser(std::string_view body) : s_(body) {}

  Result<std::vector<HeaderAddress>> Parse() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (IsSpace(c)) {
        ++i_;
      } else if (c == '(') {
        if (Status st = SkipComment(); !st.ok()) return st;
      } else if (c == '"') {
        if (Status st = QuotedString(&words_); !st.ok()) return st;
        words_end_ = i_;
      } else if (c == '[') {
        if (Status st = DomainLiteral(&words_); !st.ok()) return st;
        words_end_ = i_;
      } else if (c == '<') {
        if (Status st = AngleAddress(); !st.ok()) return st;
      } else if (c == '>') {
        return Status::Permanent("unbalanced '>' in address list");
      } else if (c == ':' && !in_group_ && !saw_angle_) {
        in_group_ = true;  // the words so far named the group
        words_.clear();
        ++i_;
      } else if (c == ';' && in_group_) {
        if (Status st = FinishMailbox(); !st.ok()) return st;
        in_group_ = false;
        ++i_;
      } else if (c == ',') {
        if (Status st = FinishMailbox(); !st.ok()) return st;
        ++i_;
      } else {
        if (!saw_angle_) {
          words_.push_back(c);
          words_end_ = i_ + 1;
        }
        ++i_;
      }
    }
    if (Status st = FinishMailbox(); !st.ok()) return st;
    return std::move(out_);
  }

 private:
  Status SkipComment() {
    int depth = 0;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ < s_.size()) ++i_;
      } else if (c == '(') {
        if (++depth > kMaxCommentDepth) {
          return Status::Permanent("comments nested too deeply in address list");
        }
      } else if (c == ')') {
        if (--depth == 0) return Status::Ok();
      }
    }
    return Status::Permanent("unclosed comment in address list");
  }

  // Appends the unquoted content; i_ ends just after the closing quote.
  Status QuotedString(std::string* to) {
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return Status::Ok();
      if (c == '\\' && i_ < s_.size()) c = s_[i_++];
      if (c == '\r' || c == '\n') continue;  // folding inside the quotes
      if (!saw_angle_ || to == &angle_) to->push_back(c);
    }
    return Status::Permanent("unclosed quoted string in address list");
  }

  Status DomainLiteral(std::string* to) {
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) c = s_[i_++];
      if (IsSpace(c)) continue;
      if (!saw_angle_ || to == &angle_) to->push_back(c);
      if (c == ']') return Status::Ok();
    }
    return Status::Permanent("unclosed domain literal in address list");
  }

  Status AngleAddress() {
    if (saw_angle_) return Status::Permanent("two angle addresses in one mailbox");
    saw_angle_ = true;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '>') {
        angle_end_ = i_;
        ++i_;
        // A source route "@a,@b:user@host" keeps only user@host.
        if (!angle_.empty() && angle_[0] == '@') {
          size_t colon = angle_.find(':');
          angle_.erase(0, colon == std::string::npos ? angle_.size() : colon + 1);
        }
        return Status::Ok();
      }
      if (c == '<') return Status::Permanent("'<' inside an angle address");
      if (IsSpace(c)) {
        ++i_;
      } else if (c == '(') {
        if (Status st = SkipComment(); !st.ok()) return st;
      } else if (c == '"') {
        if (Status st = QuotedString(&angle_); !st.ok()) return st;
      } else if (c == '[') {
        if (Status st = DomainLiteral(&angle_); !st.ok()) return st;
      } else {
        angle_.push_back(c);
        ++i_;
      }
    }
    return Status::Permanent("unclosed angle address in address list");
  }

  Status FinishMailbox() {
    std::optional<HeaderAddress> a;
    if (saw_angle_) {
      if (!angle_.empty()) a = HeaderAddress{angle_, angle_end_};
    } else if (!words_.empty()) {
      a = HeaderAddress{words_, words_end_};
    }
    words_.clear();
    angle_.clear();
    saw_angle_ = false;
    if (!a) return Status::Ok();
    if (a->address.size() > kMaxAddressBytes) {
      return Status::Permanent("address longer than 1003 bytes");
    }
    out_.push_back(std::move(*a));
    return Status::Ok();
  }

  std::string_view s_;
  size_t i_ = 0;
  bool in_group_ = false;
  bool saw_angle_ = false;
  std::string words_;
  size_t words_end_ = 0;
  std::string angle_;
  size_t angle_end_ = 0;
  std::vector<HeaderAddress> out_;
};

// What QualifyAddress would append to address ("" for nothing).
std::string QualifySuffix(std::string_view address, std::string_view host,
                          std::string_view domain) {
  if (address.empty()) return "";
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) {
    std::string suffix = "@";
    suffix += host;
    return suffix;
  }
  std::string_view d = address.substr(at + 1);
  if (d.empty() || d[0] == '[' || d.find('.') != std::string_view::npos ||
      domain.empty()) {
    return "";
  }
  std::string suffix = ".";
  suffix += domain;
  return suffix;
}

}  // namespace

Result<std::vector<HeaderAddress>> ParseAddressList(std::string_view body) {
  return AddressListParser(body).Parse();
}

std::string QualifyAddress(std::string_view address, std::string_view host,
                           std::string_view domain) {
  return std::string(address) + QualifySuffix(address, host, domain);
}

std::string QualifyAddressList(std::string_view body, std::string_view host,
                               std::string_view domain) {
  Result<std::vector<HeaderAddress>> parsed = ParseAddressList(body);
  if (!parsed.ok()) return std::string(body);
  std::string out;
  size_t copied = 0;
  for (const HeaderAddress& a : *parsed) {
    out.append(body.substr(copied, a.end - copied));
    out += QualifySuffix(a.address, host, domain);
    copied = a.end;
  }
  out.append(body.substr(copied));
  return out;
}

}  // namespace yubin::inject
