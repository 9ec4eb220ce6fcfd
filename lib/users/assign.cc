#include "lib/users/assign.h"

#include <cdb.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"

namespace yubin::users {
namespace {

constexpr int kAssignFields = 7;  // after the '=' or '+'
constexpr size_t kMaxRecordValue = 4 * kMaxAssignLine;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ParseId(std::string_view s, unsigned long* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out < 0xffffffffUL;
}

// Splits value on NUL into exactly n fields.
bool SplitNul(std::string_view value, int n, std::vector<std::string_view>* out) {
  out->clear();
  while (!value.empty()) {
    size_t z = value.find('\0');
    if (z == std::string_view::npos) return false;
    out->push_back(value.substr(0, z));
    value.remove_prefix(z + 1);
  }
  return static_cast<int>(out->size()) == n;
}

}  // namespace

Result<std::vector<AssignEntry>> ParseAssign(std::string_view text) {
  if (text.size() > kMaxAssignFileBytes) return Status::Permanent("users/assign is too big");
  std::vector<AssignEntry> out;
  size_t pos = 0;
  size_t number = 0;
  bool ended = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      return Status::Permanent("users/assign: last line is not terminated");
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    const std::string where = "users/assign line " + std::to_string(number);
    if (line.size() > kMaxAssignLine) return Status::Permanent(where + ": too long");
    if (line.find('\0') != std::string_view::npos) {
      return Status::Permanent(where + ": NUL byte");
    }
    if (line == ".") {
      ended = true;
      break;
    }
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != '=' && line[0] != '+') {
      return Status::Permanent(where + ": must start with '=' or '+'");
    }
    std::vector<std::string_view> f;
    std::string_view rest = line.substr(1);
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      if (colon == std::string_view::npos) {
        return Status::Permanent(where + ": must end with ':'");
      }
      f.push_back(rest.substr(0, colon));
      rest.remove_prefix(colon + 1);
    }
    if (f.size() != kAssignFields) {
      return Status::Permanent(where + ": want 7 fields (local:user:uid:gid:home:dash:ext:), got " +
                               std::to_string(f.size()));
    }
    AssignEntry e;
    e.wildcard = line[0] == '+';
    e.local = Lower(f[0]);
    e.user = std::string(f[1]);
    unsigned long uid = 0, gid = 0;
    if (!ParseId(f[2], &uid) || !ParseId(f[3], &gid)) {
      return Status::Permanent(where + ": uid and gid must be numbers");
    }
    e.uid = static_cast<uid_t>(uid);
    e.gid = static_cast<gid_t>(gid);
    e.home = std::string(f[4]);
    e.dash = std::string(f[5]);
    e.ext = std::string(f[6]);
    if (e.user.empty() || e.home.empty() || e.home[0] != '/') {
      return Status::Permanent(where + ": user must be set and home must be absolute");
    }
    if (out.size() >= kMaxAssignEntries) {
      return Status::Permanent("users/assign: too many entries");
    }
    out.push_back(std::move(e));
  }
  if (!ended) return Status::Permanent("users/assign: no final '.' line (file cut short?)");
  return out;
}

std::string AssignCdbKey(const AssignEntry& entry) {
  return (entry.wildcard ? "+" : "=") + entry.local;
}

std::string AssignCdbValue(const AssignEntry& e) {
  std::string v;
  for (const std::string& field :
       {e.user, std::to_string(e.uid), std::to_string(e.gid), e.home, e.dash, e.ext}) {
    v += field;
    v += '\0';
  }
  return v;
}

Status WriteAssignCdb(const std::vector<AssignEntry>& entries, const std::string& path) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(OpenRetry(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return Status::FromErrno("create " + tmp, errno);
  cdb_make maker{};
  if (cdb_make_start(&maker, fd.get()) != 0) {
    ::unlink(tmp.c_str());
    return Status::FromErrno("cdb_make_start " + tmp, errno);
  }
  for (const AssignEntry& e : entries) {
    std::string key = AssignCdbKey(e);
    std::string value = AssignCdbValue(e);
    if (cdb_make_add(&maker, key.data(), key.size(), value.data(), value.size()) != 0) {
      ::unlink(tmp.c_str());
      return Status::FromErrno("write " + tmp, errno);
    }
  }
  if (cdb_make_finish(&maker) != 0) {
    ::unlink(tmp.c_str());
    return Status::FromErrno("write " + tmp, errno);
  }
  Status s = CommitFile(fd.get(), tmp, path, CommitMode::kRename);
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

Status CompileAssign(const std::string& root, size_t* count) {
  const std::string source = root + "/users/assign";
  Result<std::string> text = ReadSmallFile(source.c_str(), kMaxAssignFileBytes);
  if (!text.ok()) return text.status();
  Result<std::vector<AssignEntry>> entries = ParseAssign(*text);
  if (!entries.ok()) return entries.status();
  if (Status s = WriteAssignCdb(*entries, root + "/users/assign.cdb"); !s.ok()) return s;
  *count = entries->size();
  return Status::Ok();
}

Result<std::optional<AssignMatch>> LookupAssignCdb(const std::string& path,
                                                   std::string_view local_in) {
  UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<AssignMatch>();
    return Status::FromErrno("open " + path, errno);
  }
  cdb db{};
  if (cdb_init(&db, fd.get()) != 0) return Status::FromErrno("read " + path, errno);
  const std::string local = Lower(local_in);
  std::optional<AssignMatch> match;
  Status error;
  auto try_key = [&](const std::string& key, std::string_view rest) -> bool {
    int found = cdb_find(&db, key.data(), key.size());
    if (found < 0) {
      error = Status::FromErrno("read " + path, errno);
      return true;
    }
    if (found == 0) return false;
    unsigned len = cdb_datalen(&db);
    if (len > kMaxRecordValue) {
      error = Status::Temporary(path + ": oversized record for " + key);
      return true;
    }
    std::string value(len, '\0');
    if (cdb_read(&db, value.data(), len, cdb_datapos(&db)) != 0) {
      error = Status::FromErrno("read " + path, errno);
      return true;
    }
    std::vector<std::string_view> f;
    unsigned long uid = 0, gid = 0;
    if (!SplitNul(value, 6, &f) || !ParseId(f[1], &uid) || !ParseId(f[2], &gid)) {
      error = Status::Temporary(path + ": malformed record for " + key);
      return true;
    }
    match = AssignMatch{std::string(f[0]), static_cast<uid_t>(uid), static_cast<gid_t>(gid),
                        std::string(f[3]), std::string(f[4]),
                        std::string(f[5]) + std::string(rest)};
    return true;
  };
  if (!try_key("=" + local, "")) {
    for (size_t len = local.size() + 1; len-- > 0;) {
      if (try_key("+" + local.substr(0, len), std::string_view(local).substr(len))) break;
    }
  }
  cdb_free(&db);
  if (!error.ok()) return error;
  return match;
}

}  // namespace yubin::users
