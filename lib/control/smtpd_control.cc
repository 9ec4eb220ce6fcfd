#include "lib/control/smtpd_control.h"

#include <cdb.h>
#include <fcntl.h>

#include <cerrno>

#include "lib/base/fd.h"
#include "lib/control/control_file.h"

namespace yubin::control {
namespace {

// True when key is in the cdb at path; a missing file holds nothing.
bool InCdb(const std::string& path, std::string_view key) {
  if (path.empty() || key.empty()) return false;
  UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  unsigned len = 0;
  return cdb_seek(fd.get(), key.data(), static_cast<unsigned>(key.size()),
                  &len) > 0;
}

Result<std::set<std::string>> ReadLowerSet(const std::string& path,
                                           bool* present) {
  Result<std::optional<std::vector<std::string>>> lines =
      ReadControlLines(path);
  if (!lines.ok()) return lines.status();
  std::set<std::string> out;
  if (present) *present = lines->has_value();
  if (lines->has_value()) {
    for (const std::string& l : **lines) out.insert(AsciiLower(l));
  }
  return out;
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool SmtpdControl::IsLocal(std::string_view domain) const {
  return locals.count(AsciiLower(domain)) > 0;
}

bool SmtpdControl::AcceptsDomain(std::string_view domain) const {
  std::string d = AsciiLower(domain);
  if (d.empty()) return false;
  if (!rcpthosts) return locals.count(d) > 0;
  // The whole name first, then each ".suffix" from the longest down.
  for (size_t pos = 0; pos != std::string::npos;
       pos = d.find('.', pos + 1)) {
    std::string_view key = std::string_view(d).substr(pos);
    if (rcpthosts->count(std::string(key)) > 0) return true;
    if (InCdb(morercpthosts_cdb, key)) return true;
  }
  return false;
}

bool SmtpdControl::IsBadMailFrom(std::string_view address) const {
  if (address.empty() || badmailfrom.empty()) return false;
  std::string a = AsciiLower(address);
  if (badmailfrom.count(a) > 0) return true;
  size_t at = a.rfind('@');
  return at != std::string::npos && badmailfrom.count(a.substr(at)) > 0;
}

Status ApplyDatabytesEnv(const char* databytes_env, SmtpdControl* control) {
  if (databytes_env == nullptr) return Status::Ok();
  std::optional<uint64_t> n = ParseDecimal(databytes_env, kMaxDatabytes);
  if (!n) return Status::Permanent("$DATABYTES is not a number");
  control->databytes = *n;
  return Status::Ok();
}

Result<SmtpdControl> LoadSmtpdControl(const std::string& control_dir,
                                      const char* databytes_env,
                                      std::string_view hostname) {
  SmtpdControl c;
  const std::string dir = control_dir + "/";
  Result<std::string> me = ReadControlValue(dir + "me", hostname);
  if (!me.ok()) return me.status();
  c.me = *me;
  if (c.me.empty()) return Status::Permanent(dir + "me: no host name");

  Result<std::string> greeting = ReadControlValue(dir + "smtpgreeting", c.me);
  if (!greeting.ok()) return greeting.status();
  c.greeting = *greeting;
  Result<std::string> localiphost = ReadControlValue(dir + "localiphost", c.me);
  if (!localiphost.ok()) return localiphost.status();
  c.localiphost = AsciiLower(*localiphost);

  bool have_rcpthosts = false;
  Result<std::set<std::string>> rcpthosts =
      ReadLowerSet(dir + "rcpthosts", &have_rcpthosts);
  if (!rcpthosts.ok()) return rcpthosts.status();
  if (have_rcpthosts) c.rcpthosts = std::move(*rcpthosts);
  c.morercpthosts_cdb = dir + "morercpthosts.cdb";

  bool have_locals = false;
  Result<std::set<std::string>> locals =
      ReadLowerSet(dir + "locals", &have_locals);
  if (!locals.ok()) return locals.status();
  c.locals = std::move(*locals);
  if (!have_locals) c.locals.insert(AsciiLower(c.me));

  Result<std::set<std::string>> bad = ReadLowerSet(dir + "badmailfrom", nullptr);
  if (!bad.ok()) return bad.status();
  c.badmailfrom = std::move(*bad);

  Result<uint64_t> databytes =
      ReadControlNumber(dir + "databytes", kDefaultDatabytes, kMaxDatabytes);
  if (!databytes.ok()) return databytes.status();
  c.databytes = *databytes;
  if (Status s = ApplyDatabytesEnv(databytes_env, &c); !s.ok()) return s;
  Result<uint64_t> timeout = ReadControlNumber(
      dir + "timeoutsmtpd", kDefaultTimeoutSmtpd, kMaxTimeoutSmtpd);
  if (!timeout.ok()) return timeout.status();
  c.timeout_seconds = *timeout == 0 ? kDefaultTimeoutSmtpd : *timeout;
  Result<uint64_t> maxrcpt =
      ReadControlNumber(dir + "maxrcpt", kDefaultMaxRcpt, kMaxMaxRcpt);
  if (!maxrcpt.ok()) return maxrcpt.status();
  c.maxrcpt = *maxrcpt == 0 ? kDefaultMaxRcpt : *maxrcpt;
  return c;
}

}  // namespace yubin::control
