#include "lib/rules/rules_lookup.h"

#include <cdb.h>

#include <fcntl.h>

#include <cerrno>

#include "lib/base/fd.h"

#include "lib/rules/ip_key.h"

namespace yubin::rules {
namespace {

// A rule's data is a handful of variables; more is a damaged or hostile cdb.
constexpr unsigned kMaxRuleDataBytes = 1 << 20;

}  // namespace

RuleDecision DecodeRuleData(std::string_view data) {
  RuleDecision decision;
  for (size_t nul; (nul = data.find('\0')) != std::string_view::npos;
       data.remove_prefix(nul + 1)) {
    std::string_view item = data.substr(0, nul);
    if (item.empty()) continue;
    if (item[0] == 'D') {
      decision.deny = true;
    } else if (item[0] == '+') {
      size_t eq = item.find('=', 1);
      if (eq == std::string_view::npos) continue;
      decision.env.emplace_back(std::string(item.substr(1, eq - 1)),
                                std::string(item.substr(eq + 1)));
    }
  }
  return decision;
}

std::vector<std::string> LookupKeys(const RuleQuery& query) {
  std::vector<std::string> keys;
  const std::string ip = RuleKeyForIp(query.ip);
  if (query.info) {
    keys.push_back(*query.info + "@" + ip);
    if (query.host) keys.push_back(*query.info + "@=" + *query.host);
  }
  keys.push_back(ip);
  if (query.host) keys.push_back("=" + *query.host);
  const char separator = ip.find(':') != std::string::npos ? ':' : '.';
  for (size_t len = ip.size(); len > 0; --len) {
    if (ip[len - 1] == separator) keys.push_back(ip.substr(0, len));
  }
  if (query.host) {
    const std::string& host = *query.host;
    for (size_t i = 0; i < host.size(); ++i) {
      if (host[i] == '.') keys.push_back("=" + host.substr(i));
    }
    keys.push_back("=");
  }
  keys.push_back("");
  return keys;
}

Result<RuleMatch> LookupRulesIn(struct cdb* db, const RuleQuery& query) {
  RuleMatch match;
  for (std::string& key : LookupKeys(query)) {
    int r = cdb_find(db, key.data(), static_cast<unsigned>(key.size()));
    if (r < 0) return Status::FromErrno("unable to read rules cdb", errno);
    if (r == 0) continue;
    unsigned len = cdb_datalen(db);
    if (len > kMaxRuleDataBytes) return Status::Temporary("rules cdb: rule data too long");
    std::string data(len, '\0');
    if (cdb_read(db, data.data(), len, cdb_datapos(db)) != 0) {
      return Status::FromErrno("unable to read rules cdb", errno);
    }
    match.found = true;
    match.key = std::move(key);
    match.decision = DecodeRuleData(data);
    match.data = std::move(data);
    break;
  }
  return match;
}

Result<RuleMatch> LookupRules(int fd, const RuleQuery& query) {
  struct cdb db;
  if (cdb_init(&db, fd) != 0)
    return Status::FromErrno("unable to read rules cdb", errno);
  Result<RuleMatch> match = LookupRulesIn(&db, query);
  cdb_free(&db);
  return match;
}

std::string DescribeRuleMatch(const RuleMatch& match) {
  if (!match.found) return "default:\nallow connection\n";
  std::string out = "rule " + match.key + ":\n";
  std::string_view data = match.data;
  for (size_t nul; (nul = data.find('\0')) != std::string_view::npos;
       data.remove_prefix(nul + 1)) {
    std::string_view item = data.substr(0, nul);
    if (item.empty()) continue;
    if (item[0] == 'D') return out + "deny connection\n";
    if (item[0] != '+' || item.find('=', 1) == std::string_view::npos)
      continue;
    out += "set environment variable ";
    out.append(item.substr(1));
    out += '\n';
  }
  return out + "allow connection\n";
}

Result<std::string> CheckRules(const std::string& cdb_path,
                               const RuleQuery& query) {
  UniqueFd fd(OpenRetry(cdb_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    return Status::FromErrno("unable to read " + cdb_path, errno);
  Result<RuleMatch> match = LookupRules(fd.get(), query);
  if (!match.ok()) return match.status().Wrap(cdb_path);
  return DescribeRuleMatch(*match);
}

}  // namespace yubin::rules
