#include "lib/rules/rules_parser.h"

#include <cstdint>
#include <optional>

#include "lib/rules/ip_key.h"

namespace yubin::rules {
namespace {

constexpr std::string_view kAllow = "allow";
constexpr std::string_view kDeny = "deny";

// True when text is exactly an instruction word, or one followed by ','.
bool StartsWithInstruction(std::string_view text) {
  for (std::string_view word : {kAllow, kDeny}) {
    if (text.substr(0, word.size()) == word &&
        (text.size() == word.size() || text[word.size()] == ','))
      return true;
  }
  return false;
}

// The position of the ':' ending the address, or npos.
size_t FindAddressEnd(std::string_view line) {
  size_t first = line.find(':');
  if (first == std::string_view::npos) return first;
  if (StartsWithInstruction(line.substr(first + 1))) return first;
  // An IPv6 address holds colons: look for ":allow" or ":deny".
  for (size_t pos = line.find(':', first + 1); pos != std::string_view::npos;
       pos = line.find(':', pos + 1)) {
    if (!StartsWithInstruction(line.substr(pos + 1))) continue;
    std::string_view address = line.substr(0, pos);
    size_t at = address.find('@');
    std::string_view ip =
        at == std::string_view::npos ? address : address.substr(at + 1);
    if (ExpandIpv6(ip) || ExpandIpv6Prefix(ip)) return pos;
    break;
  }
  return first;
}

// The address with an IPv6 part expanded; other addresses are unchanged.
std::string CanonicalAddress(std::string_view address) {
  size_t at = address.find('@');
  size_t ip_start = at == std::string_view::npos ? 0 : at + 1;
  std::string_view ip = address.substr(ip_start);
  std::optional<std::string> expanded = ExpandIpv6(ip);
  if (!expanded) expanded = ExpandIpv6Prefix(ip);
  if (!expanded) return std::string(address);
  return std::string(address.substr(0, ip_start)) + *expanded;
}

// Decimal digits as ucspi-tcp reads them: an empty run is 0, and the value
// wraps like an unsigned 64-bit number. Returns nullopt on a non-digit.
std::optional<uint64_t> ParseRangeNumber(std::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

Status Bad(std::string_view problem) {
  return Status::Permanent(std::string(problem));
}

// Parses "allow|deny[,VAR=qvalueq]..." into record data.
Status ParseInstructions(std::string_view text, std::string* data) {
  if (text.substr(0, kAllow.size()) == kAllow) {
    text.remove_prefix(kAllow.size());
  } else if (text.substr(0, kDeny.size()) == kDeny) {
    text.remove_prefix(kDeny.size());
    data->append("D", 2);  // 'D' and its NUL
  } else {
    return Bad("unknown instruction, want allow or deny");
  }
  while (!text.empty()) {
    if (text[0] != ',') return Bad("junk after instruction, want ','");
    text.remove_prefix(1);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos)
      return Bad("variable without '=', want VAR=\"value\"");
    std::string_view name = text.substr(0, eq);
    text.remove_prefix(eq + 1);
    if (text.empty()) return Bad("variable without a quoted value");
    char quote = text[0];
    text.remove_prefix(1);
    size_t close = text.find(quote);
    if (close == std::string_view::npos)
      return Bad("value has no closing quote");
    data->push_back('+');
    data->append(name);
    data->push_back('=');
    data->append(text.substr(0, close));
    data->push_back('\0');
    text.remove_prefix(close + 1);
  }
  return Status::Ok();
}

// Expands a numeric range in address into records with the given data.
Status ExpandAddress(std::string_view address, const std::string& data,
                     std::vector<RuleRecord>* out) {
  size_t dash = address.find('-');
  if (dash == std::string_view::npos ||
      address.find_first_of("@=") != std::string_view::npos) {
    out->push_back({CanonicalAddress(address), data});
    return Status::Ok();
  }
  size_t left = address.rfind('.', dash);
  left = left == std::string_view::npos ? 0 : left + 1;
  size_t right_end = address.find('.', dash);
  if (right_end == std::string_view::npos) right_end = address.size();
  std::optional<uint64_t> low =
      ParseRangeNumber(address.substr(left, dash - left));
  std::optional<uint64_t> high =
      ParseRangeNumber(address.substr(dash + 1, right_end - dash - 1));
  if (!low || !high) return Bad("bad address range, want digits-digits");
  std::string_view prefix = address.substr(0, left);
  std::string_view suffix = address.substr(right_end);
  for (uint64_t v = *low; v <= *high && v <= kMaxRangeValue; ++v) {
    out->push_back(
        {std::string(prefix) + std::to_string(v) + std::string(suffix), data});
  }
  return Status::Ok();
}

}  // namespace

Status ParseRuleLine(std::string_view line, std::vector<RuleRecord>* out) {
  if (line.size() > kMaxRuleLineBytes) return Bad("line too long");
  while (!line.empty() &&
         (line.back() == ' ' || line.back() == '\t' || line.back() == '\n'))
    line.remove_suffix(1);
  if (!line.empty() && line[0] == '#') return Status::Ok();
  size_t colon = FindAddressEnd(line);
  if (colon == std::string_view::npos) return Status::Ok();
  std::string data;
  if (Status s = ParseInstructions(line.substr(colon + 1), &data); !s.ok())
    return s;
  return ExpandAddress(line.substr(0, colon), data, out);
}

Result<std::vector<RuleRecord>> ParseRules(std::string_view text) {
  std::vector<RuleRecord> records;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (Status s = ParseRuleLine(line, &records); !s.ok()) {
      if (line.size() > kMaxRuleLineBytes) line = line.substr(0, 80);
      return Status::Permanent("line " + std::to_string(line_number) + ": " +
                               s.message() + ": " + std::string(line));
    }
  }
  return records;
}

}  // namespace yubin::rules
