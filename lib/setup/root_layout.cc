#include "lib/setup/root_layout.h"

#include <ftw.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "lib/base/durable_file.h"
#include "lib/queue/intake_protocol.h"
#include "lib/queue/layout.h"

namespace yubin::setup {
namespace {

constexpr mode_t kPublicDirMode = 0755;
constexpr mode_t kControlFileMode = 0644;
// Open descriptors nftw may use while walking the queue.
constexpr int kWalkDescriptors = 16;

Status EnsurePublicDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), kPublicDirMode) == 0) {
    if (::chmod(path.c_str(), kPublicDirMode) != 0) {
      return Status::FromErrno("chmod " + path, errno);
    }
    return FsyncDirectory(DirectoryOf(path));
  }
  if (errno != EEXIST) return Status::FromErrno("mkdir " + path, errno);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::FromErrno("stat " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::Temporary(path + ": exists and is not a directory");
  }
  return Status::Ok();
}

// Writes a control default unless the administrator already has the file.
Status WriteDefault(const std::string& path, const std::string& content) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return Status::Ok();
  if (errno != ENOENT) return Status::FromErrno("stat " + path, errno);
  return WriteFileDurably(path, content, kControlFileMode);
}

uid_t g_owner_uid;
gid_t g_owner_gid;

int ChownEntry(const char* path, const struct stat*, int, struct FTW*) {
  return ::lchown(path, g_owner_uid, g_owner_gid) == 0 ? 0 : errno;
}

}  // namespace

std::string ThisHostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_CANONNAME;
  struct addrinfo* info = nullptr;
  std::string result = name;
  if (::getaddrinfo(name, nullptr, &hints, &info) == 0) {
    if (info != nullptr && info->ai_canonname != nullptr &&
        info->ai_canonname[0] != '\0') {
      result = info->ai_canonname;
    }
    ::freeaddrinfo(info);
  }
  return result;
}

Status MakeRoot(const RootOptions& options, std::vector<std::string>* notes) {
  if (!options.user_mode && ::geteuid() != 0) {
    return Status::Permanent(
        "not running as root: use --user-mode to lay out a root owned by "
        "this user");
  }
  const std::string& root = options.root;
  if (root.empty()) return Status::Permanent("empty root directory name");
  std::string me = options.me.empty() ? ThisHostName() : options.me;
  if (me.find_first_of("\n\r\t /") != std::string::npos) {
    return Status::Permanent("bad host name: " + me);
  }

  if (Status s = EnsurePublicDirectory(root); !s.ok()) return s;
  std::string control = root + "/control";
  if (Status s = EnsurePublicDirectory(control); !s.ok()) return s;
  for (const char* name : {"me", "rcpthosts", "locals"}) {
    if (Status s = WriteDefault(control + "/" + name, me + "\n"); !s.ok()) {
      return s;
    }
  }
  std::string queue = queue::QueueDir(root);
  if (Status s = queue::CreateQueueLayout(queue); !s.ok()) return s;
  // The intake service's socket directory (intake_protocol.h): public, so
  // that every user can reach the socket, and owned by the queue's owner,
  // who runs the service.
  const std::string intake = queue::IntakeDir(root);
  if (Status s = EnsurePublicDirectory(intake); !s.ok()) return s;

  if (options.user_mode) return Status::Ok();
  struct passwd* pw = ::getpwnam(kQueueUser);
  if (pw == nullptr) {
    notes->push_back(std::string("no user ") + kQueueUser + ": " + queue +
                     " stays owned by root; create the account with "
                     "`useradd --system --home-dir " + queue +
                     " --no-create-home --shell /usr/sbin/nologin " +
                     kQueueUser + "` and run this again");
    return Status::Ok();
  }
  g_owner_uid = pw->pw_uid;
  g_owner_gid = pw->pw_gid;
  int err = ::nftw(queue.c_str(), ChownEntry, kWalkDescriptors, FTW_PHYS);
  if (err != 0) {
    return Status::FromErrno("chown " + queue + " to " + kQueueUser,
                             err > 0 ? err : errno);
  }
  if (::lchown(intake.c_str(), g_owner_uid, g_owner_gid) != 0) {
    return Status::FromErrno("chown " + intake + " to " + kQueueUser, errno);
  }
  return Status::Ok();
}

}  // namespace yubin::setup
