#include "lib/inject/inject_defaults.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <optional>

#include "lib/base/fd.h"

namespace yubin::inject {
namespace {

// The first line of a control file, trimmed; nullopt when it does not exist
// or is blank.
Result<std::optional<std::string>> ReadControlLine(const std::string& dir,
                                                   const char* name) {
  std::string path = dir + "/" + name;
  Result<std::string> text = ReadSmallFile(path.c_str(), kMaxControlFileBytes);
  if (!text.ok()) {
    if (text.status().error_number() == ENOENT) return std::optional<std::string>();
    return text.status().Wrap("unable to read " + path);
  }
  std::string_view v = *text;
  v = v.substr(0, v.find('\n'));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) {
    v.remove_suffix(1);
  }
  if (v.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(v));
}

const char* FirstEnv(GetEnvFunction get_env,
                     std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* v = get_env(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return nullptr;
}

}  // namespace

SystemUser CurrentSystemUser() {
  SystemUser user;
  uid_t uid = getuid();
  struct passwd* pw = getpwuid(uid);
  if (pw == nullptr) {
    user.login = std::to_string(uid);
    return user;
  }
  user.login = pw->pw_name ? pw->pw_name : std::to_string(uid);
  user.gecos = pw->pw_gecos ? pw->pw_gecos : "";
  return user;
}

std::string NameFromGecos(std::string_view gecos, std::string_view login) {
  gecos = gecos.substr(0, gecos.find(','));
  std::string name;
  for (char c : gecos) {
    if (c != '&') {
      name.push_back(c);
      continue;
    }
    std::string cap(login);
    if (!cap.empty() && cap[0] >= 'a' && cap[0] <= 'z') {
      cap[0] = static_cast<char>(cap[0] - 'a' + 'A');
    }
    name += cap;
  }
  return name;
}

std::string SanitizeFullName(std::string_view name) {
  std::string out(name.substr(0, kMaxFullNameBytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 32 || c == 127) c = ' ';
  }
  return out;
}

Result<InjectDefaults> LoadInjectDefaults(const std::string& control_dir,
                                          GetEnvFunction get_env,
                                          const SystemUser& system_user) {
  InjectDefaults d;
  Result<std::optional<std::string>> me = ReadControlLine(control_dir, "me");
  if (!me.ok()) return me.status();
  std::string me_name;
  if (*me) {
    me_name = **me;
  } else {
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) != 0) {
      return Status::FromErrno("gethostname", errno);
    }
    me_name = host;
  }
  Result<std::optional<std::string>> host = ReadControlLine(control_dir, "defaulthost");
  if (!host.ok()) return host.status();
  Result<std::optional<std::string>> domain =
      ReadControlLine(control_dir, "defaultdomain");
  if (!domain.ok()) return domain.status();

  const char* v = FirstEnv(get_env, {"QMAILDEFAULTHOST"});
  d.default_host = v ? v : (*host ? **host : me_name);
  v = FirstEnv(get_env, {"QMAILDEFAULTDOMAIN"});
  d.default_domain = v ? v : (*domain ? **domain : me_name);

  v = FirstEnv(get_env, {"QMAILUSER", "MAILUSER"});
  d.user = v ? v : system_user.login;
  v = FirstEnv(get_env, {"QMAILHOST", "MAILHOST"});
  d.from_host = v ? v : d.default_host;
  v = FirstEnv(get_env, {"QMAILNAME", "MAILNAME", "NAME"});
  d.full_name = SanitizeFullName(
      v ? std::string(v) : NameFromGecos(system_user.gecos, system_user.login));
  v = FirstEnv(get_env, {"QMAILSUSER"});
  d.sender_user = v ? v : d.user;
  v = FirstEnv(get_env, {"QMAILSHOST"});
  d.sender_host = v ? v : d.from_host;
  return d;
}

}  // namespace yubin::inject
