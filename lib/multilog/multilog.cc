#include "lib/multilog/multilog.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/tai64n.h"
#include "lib/multilog/log_dir.h"
#include "lib/multilog/pattern.h"

namespace yubin::multilog {
namespace {

constexpr size_t kStampBytes = kTai64nLabelSize + 1;  // label and a space

// The self-pipe wakes poll; the flags say what arrived, so that a signal
// delivered while poll was already returning is still seen before the read.
int g_signal_pipe_write = -1;
volatile sig_atomic_t g_rotate = 0;
volatile sig_atomic_t g_terminate = 0;

void OnSignal(int sig) {
  int saved = errno;
  char c = sig == SIGALRM ? 'a' : 't';
  if (sig == SIGALRM) {
    g_rotate = 1;
  } else {
    g_terminate = 1;
  }
  ssize_t ignored = write(g_signal_pipe_write, &c, 1);
  (void)ignored;
  errno = saved;
}

class SignalState : public Pauser {
 public:
  Status Install() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return Status::FromErrno("unable to create pipe", errno);
    }
    read_end_.reset(fds[0]);
    write_end_.reset(fds[1]);
    g_signal_pipe_write = fds[1];
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGALRM, &sa, nullptr);
    return Status::Ok();
  }
  int fd() const { return read_end_.get(); }
  void Drain() {
    char buf[64];
    for (;;) {
      ssize_t n = read(read_end_.get(), buf, sizeof buf);
      if (n <= 0) break;
    }
  }
  // Waits kRetryPause, noticing signals meanwhile.
  void Pause() override {
    struct pollfd p {read_end_.get(), POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + kRetryPause;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      int r = poll(&p, 1, static_cast<int>(left.count()));
      if (r > 0) Drain();
    }
  }
  bool TakeRotate() {
    if (!g_rotate) return false;
    g_rotate = 0;
    return true;
  }
  bool terminate() const { return g_terminate != 0; }

 private:
  UniqueFd read_end_;
  UniqueFd write_end_;
};

class LineProcessor {
 public:
  LineProcessor(const Script& script, SignalState* signals)
      : script_(script), signals_(signals) {
    for (const Action& a : script.actions) {
      if (a.kind != ActionKind::kDirectory) needs_match_text_ = true;
    }
  }

  Status Open() {
    for (const DirectorySettings& d : script_.directories) {
      dirs_.push_back(std::make_unique<LogDir>(d, signals_));
      if (Status s = dirs_.back()->Open(); !s.ok()) return s;
    }
    selected_.assign(dirs_.size(), 0);
    for (const Action& a : script_.actions) {
      if (a.kind != ActionKind::kStatusFile) continue;
      int fd = OpenRetry(a.text.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) return Status::FromErrno("unable to create " + a.text, errno);
      status_fds_.emplace_back(fd);
    }
    return Status::Ok();
  }

  // Feeds one chunk of input.
  void Feed(const char* data, size_t len) {
    size_t pos = 0;
    while (pos < len) {
      if (in_tail_) {
        const char* nl = static_cast<const char*>(
            std::memchr(data + pos, '\n', len - pos));
        size_t end = nl ? static_cast<size_t>(nl - data) + 1 : len;
        AppendSelected(std::string_view(data + pos, end - pos));
        pos = end;
        if (nl) in_tail_ = false;
        continue;
      }
      if (!in_line_) StartLine();
      size_t need = HeadDataBytes() - head_.size();
      size_t avail = len - pos;
      size_t look = avail < need + 1 ? avail : need + 1;
      const char* nl =
          static_cast<const char*>(std::memchr(data + pos, '\n', look));
      if (nl) {
        size_t n = static_cast<size_t>(nl - data) - pos;
        if (head_.empty()) {
          CompleteLine(std::string_view(data + pos, n + 1));
        } else {
          head_.append(data + pos, n + 1);
          CompleteLine(head_);
        }
        pos += n + 1;
        continue;
      }
      if (avail >= need) {
        // The head is known; the rest of the line streams through.
        head_.append(data + pos, need);
        pos += need;
        Select(head_);
        AppendStamp();
        AppendSelected(head_);
        head_.clear();
        in_line_ = false;
        in_tail_ = true;
        continue;
      }
      head_.append(data + pos, avail);
      pos = len;
    }
  }

  // End of input: a partial last line gets its newline.
  void Finish() {
    if (in_tail_) {
      AppendSelected("\n");
      in_tail_ = false;
    } else if (in_line_) {
      head_ += '\n';
      CompleteLine(head_);
    }
  }

  bool at_line_boundary() const { return !in_tail_ && !in_line_; }

  void FlushAll() {
    for (auto& d : dirs_) d->Flush();
  }
  void RotateAll() {
    for (auto& d : dirs_) d->Rotate();
  }
  void CloseAll() {
    for (auto& d : dirs_) d->Close();
  }

 private:
  size_t HeadDataBytes() const {
    return script_.timestamp ? kMatchBytes - kStampBytes : kMatchBytes;
  }

  void StartLine() {
    in_line_ = true;
    if (script_.timestamp) {
      FormatTai64nLabelTo(Tai64n::Now(), stamp_);
      stamp_[kTai64nLabelSize] = ' ';
    }
  }

  // line ends with '\n'.
  void CompleteLine(std::string_view line) {
    Select(line.substr(0, line.size() - 1));
    AppendStamp();
    AppendSelected(line);
    head_.clear();
    in_line_ = false;
  }

  void AppendStamp() {
    if (!script_.timestamp) return;
    AppendSelected(std::string_view(stamp_, kStampBytes));
  }

  void AppendSelected(std::string_view data) {
    for (size_t i = 0; i < dirs_.size(); ++i) {
      if (selected_[i]) dirs_[i]->Append(data);
    }
  }

  // Runs the script's actions on the first kMatchBytes of the stamped line.
  void Select(std::string_view data) {
    if (!needs_match_text_) {
      selected_.assign(dirs_.size(), 1);
      return;
    }
    std::string_view text;
    if (script_.timestamp) {
      match_.assign(stamp_, kStampBytes);
      match_.append(data.substr(0, kMatchBytes - kStampBytes));
      text = match_;
    } else {
      text = data.substr(0, kMatchBytes);
    }
    bool selected = true;
    size_t status_index = 0;
    for (const Action& a : script_.actions) {
      switch (a.kind) {
        case ActionKind::kSelect:
          if (!selected && MatchPattern(a.text, text)) selected = true;
          break;
        case ActionKind::kDeselect:
          if (selected && MatchPattern(a.text, text)) selected = false;
          break;
        case ActionKind::kAlert:
          if (selected) Alert(text);
          break;
        case ActionKind::kStatusFile:
          if (selected) WriteStatus(status_fds_[status_index].get(), text);
          ++status_index;
          break;
        case ActionKind::kDirectory:
          selected_[a.dir_index] = selected;
          break;
      }
    }
  }

  // text holds up to kMatchBytes, so a longer line is over kAlertBytes too.
  void Alert(std::string_view text) {
    std::string out(text.substr(0, kAlertBytes));
    if (text.size() > kAlertBytes) out += "...";
    out += '\n';
    (void)WriteAll(2, out);
  }

  void WriteStatus(int fd, std::string_view text) {
    char record[kStatusFileBytes];
    size_t n = text.size() < kMatchBytes ? text.size() : kMatchBytes;
    std::memcpy(record, text.data(), n);
    std::memset(record + n, '\n', kStatusFileBytes - n);
    // No protection against outages, as documented for =file.
    if (pwrite(fd, record, kStatusFileBytes, 0) < 0) return;
  }

  const Script& script_;
  SignalState* signals_;
  std::vector<std::unique_ptr<LogDir>> dirs_;
  std::vector<UniqueFd> status_fds_;
  std::vector<char> selected_;
  bool needs_match_text_ = false;
  bool in_line_ = false;
  bool in_tail_ = false;
  char stamp_[kStampBytes] = {};
  std::string head_;
  std::string match_;
};

}  // namespace

Status RunMultilog(const Script& script, int in_fd) {
  SignalState signals;
  if (Status s = signals.Install(); !s.ok()) return s;
  LineProcessor lines(script, &signals);
  if (Status s = lines.Open(); !s.ok()) return s;
  std::unique_ptr<char[]> buf(new char[kReadSize]);
  struct pollfd fds[2] = {{in_fd, POLLIN, 0}, {signals.fd(), POLLIN, 0}};
  for (;;) {
    if (signals.TakeRotate()) {
      lines.FlushAll();
      lines.RotateAll();
    }
    if (signals.terminate() && lines.at_line_boundary()) break;
    lines.FlushAll();
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("unable to poll", errno);
    }
    if (fds[1].revents & POLLIN) signals.Drain();
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    // After SIGTERM, read byte by byte so that input past the end of the
    // current line stays unread for whoever reads it next.
    size_t want = signals.terminate() ? 1 : kReadSize;
    ssize_t n = ReadRetry(in_fd, buf.get(), want);
    if (n < 0) {
      if (errno == EAGAIN) continue;
      return Status::FromErrno("unable to read input", errno);
    }
    if (n == 0) {
      lines.Finish();
      break;
    }
    lines.Feed(buf.get(), static_cast<size_t>(n));
  }
  lines.FlushAll();
  lines.CloseAll();
  return Status::Ok();
}

}  // namespace yubin::multilog
