#include "lib/queue/trigger.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "lib/queue/layout.h"

namespace yubin::queue {

namespace {

// O_NONBLOCK on a FIFO without a reader fails with ENXIO instead of waiting
// for one.
UniqueFd OpenForPoke(const std::string& path) {
  return UniqueFd(OpenRetry(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
}

// A poke naming a message: "<id>\n".
std::string IdRecord(uint64_t id) { return std::to_string(id) + "\n"; }

bool Write(int fd, std::string_view record) {
  return WriteRetry(fd, record.data(), record.size()) == static_cast<ssize_t>(record.size());
}

bool Poke(const std::string& queue_dir, std::string_view record) {
  UniqueFd fd = OpenForPoke(TriggerPath(queue_dir));
  return fd.valid() && Write(fd.get(), record);
}

constexpr size_t kMaxIdDigits = 20;  // 2^64 - 1

}  // namespace

bool PokeTrigger(const std::string& queue_dir) { return Poke(queue_dir, "!"); }

bool PokeTriggerFor(const std::string& queue_dir, uint64_t id) {
  return Poke(queue_dir, IdRecord(id));
}

TriggerWriter::TriggerWriter(const std::string& queue_dir) : path_(TriggerPath(queue_dir)) {}

bool TriggerWriter::PokeFor(uint64_t id) {
  const std::string record = IdRecord(id);
  std::lock_guard<std::mutex> lock(mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!fd_.valid()) fd_ = OpenForPoke(path_);
    if (!fd_.valid()) return false;
    if (Write(fd_.get(), record)) return true;
    if (errno != EPIPE) return false;  // full (EAGAIN): the record is lost, the fd is fine
    fd_.reset();
  }
  return false;
}

bool PokeTriggerControl(const std::string& queue_dir) {
  return Poke(queue_dir, std::string_view(&kControlPoke, 1));
}

TriggerNews TriggerReader::Parse(std::string_view bytes) {
  TriggerNews news;
  for (char c : bytes) {
    if (c >= '0' && c <= '9') {
      if (partial_.size() < kMaxIdDigits) {
        partial_.push_back(c);
      } else {
        news.scan_all = true;  // no id is that long
      }
      continue;
    }
    if (c == '\n' && !partial_.empty()) {
      news.ids.push_back(std::strtoull(partial_.c_str(), nullptr, 10));
    } else if (c == kControlPoke && partial_.empty()) {
      news.control = true;
    } else {
      // "!", anything we do not know, or an id record cut short.
      news.scan_all = true;
      if (c == kControlPoke) news.control = true;
    }
    partial_.clear();
  }
  return news;
}

TriggerNews TriggerReader::Drain(int fd) {
  TriggerNews news;
  size_t total = 0;
  char buf[4096];
  for (;;) {
    ssize_t n = ReadRetry(fd, buf, sizeof buf);
    if (n <= 0) break;
    total += static_cast<size_t>(n);
    TriggerNews part = Parse(std::string_view(buf, static_cast<size_t>(n)));
    news.control = news.control || part.control;
    news.scan_all = news.scan_all || part.scan_all;
    news.ids.insert(news.ids.end(), part.ids.begin(), part.ids.end());
  }
  if (total >= kTriggerScanAllBytes) news.scan_all = true;
  return news;
}

UniqueFd OpenTriggerForManager(const std::string& queue_dir) {
  std::string path = TriggerPath(queue_dir);
  return UniqueFd(OpenRetry(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
}

size_t DrainTrigger(int fd) {
  bool control = false;
  return DrainTrigger(fd, &control);
}

size_t DrainTrigger(int fd, bool* control) {
  size_t total = 0;
  char buf[512];
  for (;;) {
    ssize_t n = ReadRetry(fd, buf, sizeof buf);
    if (n <= 0) return total;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == kControlPoke) *control = true;
    }
    total += static_cast<size_t>(n);
  }
}

}  // namespace yubin::queue
