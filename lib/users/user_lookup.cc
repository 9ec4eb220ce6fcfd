#include "lib/users/user_lookup.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "lib/dotqmail/extension_lookup.h"
#include "lib/users/assign.h"

namespace yubin::users {
namespace {

constexpr size_t kPasswdBuffer = 16384;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<PasswdAccount> SystemPasswd(const std::string& name) {
  passwd pw{};
  passwd* result = nullptr;
  std::vector<char> buf(kPasswdBuffer);
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &result) != 0 ||
      result == nullptr) {
    return std::nullopt;
  }
  return PasswdAccount{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir};
}

std::optional<std::pair<uid_t, gid_t>> DirectoryOwner(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return std::make_pair(st.st_uid, st.st_gid);
}

}  // namespace

UserLookupConfig UserLookupConfig::ForRoot(std::string root) {
  UserLookupConfig c;
  c.root = std::move(root);
  c.running_uid = ::geteuid();
  c.non_root_mode = c.running_uid != 0;
  c.passwd = SystemPasswd;
  c.owner = DirectoryOwner;
  return c;
}

UserLookupConfig UserLookupConfig::ForChecker(std::string root) {
  UserLookupConfig c = ForRoot(std::move(root));
  std::optional<std::pair<uid_t, gid_t>> queue_owner =
      DirectoryOwner(c.root + "/queue");
  c.non_root_mode = c.running_uid != 0 && queue_owner &&
                    queue_owner->first == c.running_uid;
  return c;
}

UserLookup::UserLookup(UserLookupConfig config) : config_(std::move(config)) {
  if (!config_.passwd) config_.passwd = SystemPasswd;
  if (!config_.owner) config_.owner = DirectoryOwner;
}

Result<LocalUser> UserLookup::Find(std::string_view local_in) const {
  if (local_in.size() > kMaxLocalPart || local_in.find('\0') != std::string_view::npos) {
    return Status::Permanent("local part too long or invalid (#5.1.3)");
  }
  const std::string local = Lower(local_in);

  Result<std::optional<AssignMatch>> assigned =
      LookupAssignCdb(config_.root + "/users/assign.cdb", local);
  if (!assigned.ok()) return assigned.status();
  if (assigned->has_value()) {
    const AssignMatch& m = **assigned;
    if (config_.non_root_mode) {
      auto owner = config_.owner(m.home);
      if (!owner || owner->first != config_.running_uid) {
        return Status::Temporary("users/assign maps " + local + " to " + m.home +
                                 ", which the running user does not own (non-root mode) (#4.3.0)");
      }
    }
    return LocalUser{m.user, m.uid, m.gid, m.home, m.dash, m.ext, LocalUser::Source::kAssign};
  }

  // Longest '-'-separated prefix first: "a-b-c", "a-b", "a".
  for (size_t end = local.size(); end != std::string::npos && end > 0;) {
    std::string name = local.substr(0, end);
    std::optional<PasswdAccount> pw = config_.passwd(name);
    if (pw && pw->uid != 0) {
      auto owner = config_.owner(pw->home);
      bool owned = owner && owner->first == pw->uid;
      if (owned && (!config_.non_root_mode || pw->uid == config_.running_uid)) {
        std::string ext = end < local.size() ? local.substr(end + 1) : "";
        return LocalUser{pw->name, pw->uid, pw->gid, pw->home, ext.empty() ? "" : "-", ext,
                         LocalUser::Source::kPasswd};
      }
    }
    if (end == 0) break;
    end = local.rfind('-', end - 1);
  }

  const std::string alias_home = config_.root + "/alias";
  auto owner = config_.owner(alias_home);
  if (!owner) {
    return Status::Temporary("alias directory " + alias_home + " is missing (#4.3.0)");
  }
  if (owner->first == 0) {
    return Status::Temporary("alias directory " + alias_home +
                             " is owned by root; it must belong to the alias user (#4.3.0)");
  }
  if (config_.non_root_mode && owner->first != config_.running_uid) {
    return Status::Temporary("alias directory " + alias_home +
                             " is not owned by the running user (non-root mode) (#4.3.0)");
  }
  return LocalUser{kAliasUser, owner->first, owner->second, alias_home, "-", local,
                   LocalUser::Source::kAlias};
}

Result<bool> HasMailbox(const UserLookup& lookup, std::string_view local) {
  Result<LocalUser> user = lookup.Find(local);
  if (!user.ok()) {
    if (user.status().permanent()) return false;
    return user.status();
  }
  if (user->ext.empty()) return true;
  Result<dotqmail::DotQmailChoice> choice =
      dotqmail::FindDotQmail(user->home, user->dash, user->ext);
  if (choice.ok()) return true;
  if (choice.status().permanent()) return false;
  return choice.status();
}

}  // namespace yubin::users
