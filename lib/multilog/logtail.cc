#include "lib/multilog/logtail.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/tai64n.h"

namespace yubin::multilog {
namespace {

constexpr size_t kReadChunk = 65536;
constexpr size_t kMaxRememberedFiles = 4096;

struct LogFile {
  std::string name;
  ino_t inode = 0;
};

// Archives in time order, then previous (a file being rotated) and current
// when present.
Result<std::vector<LogFile>> ListLog(const std::string& dir, bool* has_current) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno("unable to open " + dir, errno);
  std::vector<LogFile> files;
  *has_current = false;
  LogFile current;
  LogFile previous;
  bool has_previous = false;
  while (struct dirent* e = readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() > 2 && name[0] == '@' &&
        (name.ends_with(".s") || name.ends_with(".u"))) {
      files.push_back({std::string(name), e->d_ino});
    } else if (name == "previous") {
      has_previous = true;
      previous = {"previous", e->d_ino};
    } else if (name == "current") {
      *has_current = true;
      current = {"current", e->d_ino};
    }
  }
  closedir(d);
  std::sort(files.begin(), files.end(),
            [](const LogFile& a, const LogFile& b) { return a.name < b.name; });
  if (has_previous) files.push_back(previous);
  if (*has_current) files.push_back(current);
  return files;
}

class Printer {
 public:
  Printer(int fd, bool local_time) : fd_(fd), local_time_(local_time) {}

  // A last line without its newline, at the end of the output.
  Status Finish() { return partial_.empty() ? Status::Ok() : Emit(); }

  // Emits whole lines; a line split across two files is joined.
  Status Feed(std::string_view data) {
    while (!data.empty()) {
      size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (partial_.size() + data.size() > kMaxPartialLine) {
          partial_.append(data);
          data = {};
          return Emit();
        }
        partial_.append(data);
        return Status::Ok();
      }
      partial_.append(data.substr(0, nl));
      data.remove_prefix(nl + 1);
      if (Status s = Emit(); !s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  Status Emit() {
    std::string out =
        local_time_ ? ConvertTai64nLine(partial_) : std::move(partial_);
    out += '\n';
    partial_.clear();
    return WriteAll(fd_, out);
  }
  int fd_;
  bool local_time_;
  std::string partial_;
};

Result<std::string> ReadWhole(const std::string& path, ino_t* inode,
                              UniqueFd* keep_open) {
  UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("unable to open " + path, errno);
  struct stat st;
  if (fstat(fd.get(), &st) == 0 && inode) *inode = st.st_ino;
  std::string data;
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = ReadRetry(fd.get(), buf, sizeof buf);
    if (n < 0) return Status::FromErrno("unable to read " + path, errno);
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  if (keep_open) *keep_open = std::move(fd);
  return data;
}

class Follower {
 public:
  Follower(std::string dir, Printer* printer)
      : dir_(std::move(dir)), printer_(printer) {}

  // Starts following after the file list already printed.
  Status Start(const std::vector<LogFile>& printed, UniqueFd current) {
    for (const LogFile& f : printed) Remember(f.inode);
    current_ = std::move(current);
    if (current_.valid()) {
      struct stat st;
      if (fstat(current_.get(), &st) == 0) current_inode_ = st.st_ino;
    }
    inotify_.reset(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!inotify_.valid()) return Status::FromErrno("unable to inotify", errno);
    if (inotify_add_watch(inotify_.get(), dir_.c_str(),
                          IN_MODIFY | IN_CREATE | IN_MOVED_TO |
                              IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE |
                              IN_ATTRIB) < 0) {
      return Status::FromErrno("unable to watch " + dir_, errno);
    }
    return Status::Ok();
  }

  Status Run() {
    for (;;) {
      if (Status s = CatchUp(); !s.ok()) return s;
      struct pollfd p {inotify_.get(), POLLIN, 0};
      int r = poll(&p, 1, kFollowPollMs);
      if (r < 0 && errno != EINTR) return Status::FromErrno("poll", errno);
      char events[4096];
      while (read(inotify_.get(), events, sizeof events) > 0) {
      }
    }
  }

 private:
  void Remember(ino_t inode) {
    seen_.insert(inode);
    order_.push_back(inode);
    if (order_.size() > kMaxRememberedFiles) {
      seen_.erase(order_.front());
      order_.pop_front();
    }
  }

  Status Drain() {
    if (!current_.valid()) return Status::Ok();
    char buf[kReadChunk];
    for (;;) {
      ssize_t n = ReadRetry(current_.get(), buf, sizeof buf);
      if (n < 0) return Status::FromErrno("unable to read current", errno);
      if (n == 0) return Status::Ok();
      if (Status s = printer_->Feed(std::string_view(buf, static_cast<size_t>(n)));
          !s.ok()) {
        return s;
      }
    }
  }

  // Archives not printed yet, in time order, other than the file with
  // inode skip.
  Result<std::vector<LogFile>> Unseen(ino_t skip) {
    bool has_current = false;
    Result<std::vector<LogFile>> files = ListLog(dir_, &has_current);
    if (!files.ok()) return files.status();
    std::vector<LogFile> unseen;
    for (const LogFile& f : *files) {
      if (f.name == "current" || f.inode == skip || seen_.count(f.inode)) {
        continue;
      }
      unseen.push_back(f);
    }
    return unseen;
  }

  // Prints what is new: the rest of the file being followed, then, if
  // current was rotated away, every archive not seen yet and the new current.
  Status CatchUp() {
    std::string current_path = dir_ + "/current";
    for (;;) {
      if (Status s = Drain(); !s.ok()) return s;
      struct stat st;
      if (stat(current_path.c_str(), &st) != 0) return Status::Ok();
      if (current_.valid() && st.st_ino == current_inode_) return Status::Ok();
      // Rotated: whatever multilog wrote before the rename is in the old
      // file now, so one more drain completes it.
      if (Status s = Drain(); !s.ok()) return s;
      Result<std::vector<LogFile>> unseen = Unseen(current_inode_);
      if (!unseen.ok()) return unseen.status();
      for (const LogFile& f : *unseen) {
        Result<std::string> data =
            ReadWhole(dir_ + "/" + f.name, nullptr, nullptr);
        // A file gone meanwhile was removed by the n limit, or was
        // previous and is now an archive that the next listing shows.
        if (!data.ok()) continue;
        Remember(f.inode);
        if (Status s = printer_->Feed(*data); !s.ok()) return s;
      }
      UniqueFd fd(OpenRetry(current_path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) return Status::Ok();
      if (fstat(fd.get(), &st) != 0) return Status::FromErrno("fstat", errno);
      // Another rotation between the listing and the open would put an
      // unprinted archive before this file: go round again first.
      Result<std::vector<LogFile>> again = Unseen(st.st_ino);
      if (!again.ok()) return again.status();
      if (!again->empty()) continue;
      current_ = std::move(fd);
      current_inode_ = st.st_ino;
      Remember(st.st_ino);
    }
  }

  std::string dir_;
  Printer* printer_;
  UniqueFd inotify_;
  UniqueFd current_;
  ino_t current_inode_ = 0;
  std::set<ino_t> seen_;
  std::deque<ino_t> order_;
};

}  // namespace

Status RunLogTail(const std::string& dir, const LogTailOptions& options,
                  int out_fd) {
  bool has_current = false;
  Result<std::vector<LogFile>> files = ListLog(dir, &has_current);
  if (!files.ok()) return files.status();
  // Read files newest first until enough lines are known.
  std::vector<std::string> chunks;
  UniqueFd current_fd;
  size_t newlines = 0;
  for (size_t i = files->size(); i-- > 0;) {
    const LogFile& f = (*files)[i];
    bool is_current = has_current && i + 1 == files->size();
    ino_t inode = 0;
    Result<std::string> data = ReadWhole(dir + "/" + f.name, &inode,
                                         is_current ? &current_fd : nullptr);
    if (!data.ok()) {
      if (is_current) return data.status();
      continue;  // an archive removed since the listing
    }
    (*files)[i].inode = inode;
    newlines += static_cast<size_t>(std::count(data->begin(), data->end(), '\n'));
    chunks.push_back(std::move(*data));
    if (newlines > options.lines) break;
  }
  std::string all;
  for (size_t i = chunks.size(); i-- > 0;) all += chunks[i];
  // Keep the last options.lines lines (a final partial line counts as one).
  size_t start = all.size();
  size_t count = 0;
  size_t end = all.size();
  if (end > 0 && all[end - 1] == '\n') --end;
  size_t pos = end;
  while (count < options.lines && pos > 0) {
    size_t nl = all.rfind('\n', pos - 1);
    ++count;
    if (nl == std::string::npos) {
      start = 0;
      break;
    }
    start = nl + 1;
    pos = nl;
  }
  if (options.lines == 0) start = all.size();
  Printer printer(out_fd, options.local_time);
  if (Status s = printer.Feed(std::string_view(all).substr(start)); !s.ok()) {
    return s;
  }
  if (!options.follow) return printer.Finish();
  Follower follower(dir, &printer);
  if (Status s = follower.Start(*files, std::move(current_fd)); !s.ok()) {
    return s;
  }
  return follower.Run();
}

}  // namespace yubin::multilog
