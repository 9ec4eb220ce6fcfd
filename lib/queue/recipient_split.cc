// recipient_split.cc: see recipient_split.h.
#include "lib/queue/recipient_split.h"

#include <algorithm>
#include <cctype>

namespace yubin::queue {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

RecipientRules MakeRecipientRules(const std::vector<std::string>& locals,
                                  const std::vector<std::string>& virtualdomains) {
  RecipientRules rules;
  for (const std::string& l : locals) rules.locals.insert(Lower(l));
  for (const std::string& line : virtualdomains) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    rules.virtualdomains.emplace(Lower(line.substr(0, colon)),
                                 line.substr(colon + 1));
  }
  return rules;
}

SplitResult SplitRecipient(const RecipientRules& rules, std::string_view address) {
  SplitResult r;
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) {
    r.local = true;
    r.local_part = std::string(address);
    return r;
  }
  std::string user(address.substr(0, at));
  std::string domain = Lower(address.substr(at + 1));
  if (rules.locals.count(domain) != 0) {
    r.local = true;
    r.local_part = user;
    r.domain = domain;
    return r;
  }
  auto find = [&](const std::string& key) { return rules.virtualdomains.find(key); };
  auto it = find(user + "@" + domain);
  if (it == rules.virtualdomains.end()) it = find(domain);
  for (size_t dot = domain.find('.');
       it == rules.virtualdomains.end() && dot != std::string::npos;
       dot = domain.find('.', dot + 1)) {
    it = find(domain.substr(dot));
  }
  if (it == rules.virtualdomains.end()) it = find("");
  if (it == rules.virtualdomains.end() || it->second.empty()) return r;
  r.local = true;
  r.local_part = it->second + "-" + user;
  r.domain = domain;
  return r;
}

}  // namespace yubin::queue
