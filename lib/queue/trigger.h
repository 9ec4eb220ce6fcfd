// trigger.h: the FIFO that wakes the queue manager (ROOT/queue/lock/trigger).
//
//   PokeTriggerFor(queue_dir, id);          // yubin-queue, after its commit
//
//   UniqueFd t = OpenTriggerForManager(queue_dir);   // yubin-send, at start
//   TriggerReader reader;
//   poll({t.get(), POLLIN}) ...
//   TriggerNews news = reader.Drain(t.get());
//   // news.scan_all: scan all of todo/; else preprocess news.ids
//
// A poke is one record written without blocking (one write of at most 21
// bytes: atomic on a pipe): "<id>\n" names the message just committed, so
// the manager preprocesses it without reading todo/'s 101 directories;
// "!" (any other writer, or an old yubin-queue) asks for a scan of all of
// todo/; kControlPoke is yubin-queuectl's. No manager running (no reader:
// ENXIO) is fine: it scans todo/ when it starts. A full pipe (EAGAIN) loses
// the record, but only when 64 KiB wait unread, and a drain that reads that
// much (kTriggerScanAllBytes) asks for a scan of everything, so no commit
// goes unnoticed; the periodic scan is the last safety net.
// The manager opens the FIFO read-write, so the descriptor never reports
// end of file (no spinning POLLHUP) when the last injector closes it.
#ifndef YUBIN_LIB_QUEUE_TRIGGER_H_
#define YUBIN_LIB_QUEUE_TRIGGER_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::queue {

// Best effort, never blocks; returns true when the record reached a reader.
bool PokeTrigger(const std::string& queue_dir);           // "!"
bool PokeTriggerFor(const std::string& queue_dir, uint64_t id);  // "<id>\n"

// PokeTriggerFor for a long-running injector (the intake service), from any
// thread: the FIFO stays open between pokes, saving an open and a close per
// message. A write that fails for want of a reader (EPIPE: the manager
// exited, or made a new FIFO) closes it and opens the FIFO afresh once.
// The process must ignore SIGPIPE (the intake service does).
class TriggerWriter {
 public:
  explicit TriggerWriter(const std::string& queue_dir);
  bool PokeFor(uint64_t id);

 private:
  std::mutex mu_;
  const std::string path_;
  UniqueFd fd_;
};

// The manager's end: read-write, non-blocking, close-on-exec. Invalid fd and
// errno set on failure.
UniqueFd OpenTriggerForManager(const std::string& queue_dir);

// Reads every pending poke; returns how many bytes were drained.
size_t DrainTrigger(int fd);

// yubin-queuectl's poke: the byte kControlPoke, which tells the manager to
// reread the hold marks and the retry times (docs/queue.md, "Holding and
// deleting"). Best effort like PokeTrigger.
inline constexpr char kControlPoke = 'c';
bool PokeTriggerControl(const std::string& queue_dir);

// DrainTrigger that also says whether a kControlPoke byte was among them.
size_t DrainTrigger(int fd, bool* control);

// A drain of at least this many bytes may have followed a full pipe, whose
// writers lost their records: scan everything.
inline constexpr size_t kTriggerScanAllBytes = 60 * 1024;

struct TriggerNews {
  bool control = false;   // a kControlPoke came
  bool scan_all = false;  // a "!", an unknown record, or a drain that big
  std::vector<uint64_t> ids;  // messages committed, in order (may repeat)
};

// The manager's side: keeps a record cut by one read for the next.
class TriggerReader {
 public:
  TriggerNews Drain(int fd);
  // The parser alone (for tests): bytes as read, in order.
  TriggerNews Parse(std::string_view bytes);

 private:
  std::string partial_;  // digits of an id record not ended yet
};

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_TRIGGER_H_
