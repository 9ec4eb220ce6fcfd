#include "lib/multilog/log_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/fatal.h"

namespace yubin::multilog {
namespace {

constexpr mode_t kWritingMode = 0644;
constexpr mode_t kFinishedMode = 0744;
constexpr mode_t kDirMode = 0700;
constexpr int kChildFdBase = 10;  // child opens here so dup2 targets are free

bool IsArchiveName(const char* name) {
  return name[0] == '@';
}

}  // namespace

LogDir::LogDir(DirectorySettings settings, Pauser* pauser)
    : settings_(std::move(settings)), pauser_(pauser) {}

LogDir::~LogDir() = default;

void LogDir::Complain(std::string_view what) {
  std::string msg = "unable to ";
  msg += what;
  msg += " in ";
  msg += settings_.path;
  msg += ": ";
  msg += std::strerror(errno);
  msg += "; pausing";
  Warn(msg);
}

// A system call that must eventually succeed: report, pause, try again.
void LogDir::CheckSys(int rc, std::string_view what) {
  if (rc >= 0) return;
  Complain(what);
  pauser_->Pause();
}

Status LogDir::Open() {
  const std::string& path = settings_.path;
  if (mkdir(path.c_str(), kDirMode) != 0 && errno != EEXIST) {
    return Status::FromErrno("unable to create directory " + path, errno);
  }
  dir_fd_.reset(OpenRetry(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd_.valid()) {
    return Status::FromErrno("unable to open directory " + path, errno);
  }
  lock_fd_.reset(openat(dir_fd_.get(), "lock",
                        O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!lock_fd_.valid()) {
    return Status::FromErrno("unable to open " + path + "/lock", errno);
  }
  if (flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::FromErrno("unable to lock directory " + path, errno);
  }
  struct stat st;
  bool current_ok = fstatat(dir_fd_.get(), "current", &st, 0) == 0 &&
                    (st.st_mode & S_IXUSR) != 0;
  if (!current_ok) {
    if (faccessat(dir_fd_.get(), ".", W_OK, AT_EACCESS) != 0) {
      return Status::FromErrno("unable to write to directory " + path, errno);
    }
    Recover();
  }
  OpenCurrent();
  buffer_ = std::make_unique<char[]>(kDirBufferSize);
  return Status::Ok();
}

// Start-up after a crash (current without its x bit, or no current), as
// daemontools does it: a processed file with its x bit was finished and
// becomes .s; previous and current become .u; state starts empty.
void LogDir::Recover() {
  int d = dir_fd_.get();
  struct stat st;
  unlinkat(d, "state", 0);
  unlinkat(d, "newstate", 0);
  if (fstatat(d, "processed", &st, 0) == 0) {
    if ((st.st_mode & S_IXUSR) != 0) {
      std::string name = NewArchiveName('s');
      while (linkat(d, "processed", d, name.c_str(), 0) != 0) {
        CheckSys(-1, "link processed to " + name);
      }
      unlinkat(d, "previous", 0);
    }
    unlinkat(d, "processed", 0);
  }
  for (const char* leftover : {"previous", "current"}) {
    if (faccessat(d, leftover, F_OK, 0) != 0) continue;
    std::string name = NewArchiveName('u');
    while (linkat(d, leftover, d, name.c_str(), 0) != 0) {
      CheckSys(-1, std::string("link ") + leftover + " to " + name);
    }
    unlinkat(d, leftover, 0);
  }
  for (;;) {
    int fd = openat(d, "state", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                    kWritingMode);
    if (fd >= 0) {
      CloseFd(fd);
      break;
    }
    CheckSys(-1, "create state");
  }
  FsyncDirectoryFd();
}

void LogDir::FsyncDirectoryFd() {
  while (fsync(dir_fd_.get()) != 0) CheckSys(-1, "fsync directory");
}

void LogDir::OpenCurrent() {
  for (;;) {
    int fd = openat(dir_fd_.get(), "current",
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      current_fd_.reset(fd);
      break;
    }
    CheckSys(-1, "open current");
  }
  while (fchmod(current_fd_.get(), kWritingMode) != 0) {
    CheckSys(-1, "set mode of current");
  }
  struct stat st;
  bytes_ = fstat(current_fd_.get(), &st) == 0 ? static_cast<size_t>(st.st_size)
                                               : 0;
}

void LogDir::Flush() {
  size_t done = 0;
  while (done < buffered_) {
    ssize_t n = WriteRetry(current_fd_.get(), buffer_.get() + done,
                           buffered_ - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) errno = EIO;
    CheckSys(-1, "write to current");
  }
  buffered_ = 0;
}

void LogDir::AppendPiece(const char* p, size_t n) {
  while (n > 0) {
    size_t room = kDirBufferSize - buffered_;
    size_t take = n < room ? n : room;
    std::memcpy(buffer_.get() + buffered_, p, take);
    buffered_ += take;
    bytes_ += take;
    p += take;
    n -= take;
    if (buffered_ == kDirBufferSize) Flush();
  }
}

void LogDir::Append(std::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  const size_t max = settings_.max_size;
  while (n > 0) {
    size_t room = max - bytes_;
    size_t take = n < room ? n : room;
    AppendPiece(p, take);
    p += take;
    n -= take;
    if (bytes_ >= max) FullCurrent();
  }
  if (!data.empty() && data.back() == '\n' && bytes_ > 0 &&
      bytes_ + kLineEndSlack >= max) {
    FullCurrent();
  }
}

void LogDir::Rotate() {
  if (bytes_ > 0) FullCurrent();
}

void LogDir::Close() {
  Flush();
  while (fsync(current_fd_.get()) != 0) CheckSys(-1, "fsync current");
  while (fchmod(current_fd_.get(), kFinishedMode) != 0) {
    CheckSys(-1, "set mode of current");
  }
}

void LogDir::FullCurrent() {
  int d = dir_fd_.get();
  Flush();
  while (fsync(current_fd_.get()) != 0) CheckSys(-1, "fsync current");
  current_fd_.reset();
  while (renameat(d, "current", d, "previous") != 0) {
    CheckSys(-1, "rename current to previous");
  }
  OpenCurrent();
  while (fchmodat(d, "previous", kFinishedMode, 0) != 0) {
    CheckSys(-1, "set mode of previous");
  }
  FinishPrevious();
  RemoveOldArchives();
}

void LogDir::FinishPrevious() {
  int d = dir_fd_.get();
  if (settings_.processor.empty()) {
    std::string name = NewArchiveName('s');
    while (linkat(d, "previous", d, name.c_str(), 0) != 0) {
      CheckSys(-1, "link previous to " + name);
    }
    while (unlinkat(d, "previous", 0) != 0) CheckSys(-1, "unlink previous");
    FsyncDirectoryFd();
    return;
  }
  while (!RunProcessor()) {
    errno = 0;
    Warn("processor failed in " + settings_.path + "; pausing");
    pauser_->Pause();
  }
  for (const char* made : {"processed", "newstate"}) {
    for (;;) {
      int fd = openat(d, made, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd >= 0 && fsync(fd) == 0 &&
          (std::strcmp(made, "newstate") == 0 ||
           fchmod(fd, kFinishedMode) == 0)) {
        CloseFd(fd);
        break;
      }
      if (fd >= 0) CloseFd(fd);
      CheckSys(-1, std::string("fsync ") + made);
    }
  }
  while (unlinkat(d, "previous", 0) != 0) CheckSys(-1, "unlink previous");
  while (renameat(d, "newstate", d, "state") != 0) {
    CheckSys(-1, "rename newstate to state");
  }
  std::string name = NewArchiveName('s');
  while (linkat(d, "processed", d, name.c_str(), 0) != 0) {
    CheckSys(-1, "link processed to " + name);
  }
  while (unlinkat(d, "processed", 0) != 0) CheckSys(-1, "unlink processed");
  FsyncDirectoryFd();
}

// Runs sh -c processor in the directory with previous on fd 0, processed on
// fd 1, state on fd 4 and newstate on fd 5. True when it exits 0.
bool LogDir::RunProcessor() {
  pid_t pid = fork();
  if (pid < 0) {
    Complain("fork processor");
    return false;
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &dfl, nullptr);
    sigaction(SIGALRM, &dfl, nullptr);
    sigaction(SIGPIPE, &dfl, nullptr);
    if (fchdir(dir_fd_.get()) != 0) _exit(111);
    int in = open("previous", O_RDONLY);
    int out = open("processed", O_WRONLY | O_CREAT | O_TRUNC, kWritingMode);
    int st = open("state", O_RDONLY);
    int ns = open("newstate", O_WRONLY | O_CREAT | O_TRUNC, kWritingMode);
    if (in < 0 || out < 0 || st < 0 || ns < 0) _exit(111);
    int fds[4] = {in, out, st, ns};
    for (int& fd : fds) {
      fd = fcntl(fd, F_DUPFD, kChildFdBase);
      if (fd < 0) _exit(111);
    }
    if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 4) < 0 ||
        dup2(fds[3], 5) < 0) {
      _exit(111);
    }
    execl("/bin/sh", "sh", "-c", settings_.processor.c_str(),
          static_cast<char*>(nullptr));
    _exit(111);
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

void LogDir::RemoveOldArchives() {
  for (;;) {
    int fd = openat(dir_fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* dir = fd >= 0 ? fdopendir(fd) : nullptr;
    if (dir == nullptr) {
      if (fd >= 0) CloseFd(fd);
      CheckSys(-1, "read directory");
      continue;
    }
    std::vector<std::string> archives;
    while (struct dirent* e = readdir(dir)) {
      if (IsArchiveName(e->d_name)) archives.emplace_back(e->d_name);
    }
    closedir(dir);
    if (archives.size() < settings_.max_files) return;
    std::sort(archives.begin(), archives.end());
    size_t excess = archives.size() - settings_.max_files + 1;
    for (size_t i = 0; i < excess; ++i) {
      while (unlinkat(dir_fd_.get(), archives[i].c_str(), 0) != 0 &&
             errno != ENOENT) {
        CheckSys(-1, "remove " + archives[i]);
      }
    }
    return;
  }
}

// Archive names sort by time; two rotations in one nanosecond still differ.
std::string LogDir::NewArchiveName(char suffix) {
  Tai64n now = Tai64n::Now();
  if (!(last_stamp_ < now)) {
    now = last_stamp_;
    if (++now.nanoseconds >= 1000000000) {
      now.nanoseconds = 0;
      ++now.seconds;
    }
  }
  last_stamp_ = now;
  char label[kTai64nLabelSize];
  FormatTai64nLabelTo(now, label);
  std::string name(label, kTai64nLabelSize);
  name += '.';
  name += suffix;
  return name;
}

}  // namespace yubin::multilog
