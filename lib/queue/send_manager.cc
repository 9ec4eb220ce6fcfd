// send_manager.cc: see send_manager.h.
#include "lib/queue/send_manager.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/queue/cleanup.h"
#include "lib/queue/delivery_records.h"
#include "lib/queue/hold_mark.h"
#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "lib/queue/queue_client.h"
#include "lib/queue/retry_schedule.h"
#include "lib/queue/send_control.h"
#include "lib/queue/trigger.h"
#include "supervise/self_pipe.h"

namespace yubin::queue {
namespace {

constexpr char kTooLong[] =
    "I'm not going to try again; this message has been in the queue too long.";

void Log(const std::string& line) {
  std::string out;
  for (char c : line) out.push_back(c == '\n' ? '/' : c);
  out.push_back('\n');
  (void)WriteAll(2, out);
}

enum class Phase { kIdle, kPending, kInFlight };

// The two delivery services: index 0 local (yubin-lspawn), 1 remote
// (yubin-rspawn). Everything below treats them alike.
constexpr size_t kChannels = 2;
constexpr QueueArea kAreas[kChannels] = {QueueArea::kLocal, QueueArea::kRemote};
constexpr const char* kKind[kChannels] = {"local", "remote"};
constexpr const char* kSocketNames[kChannels] = {kLspawnSocketName, kRspawnSocketName};
constexpr const char* kServices[kChannels] = {"yubin-lspawn", "yubin-rspawn"};
constexpr time_t kRetryConstants[kChannels] = {kLocalRetryConstant, kRemoteRetryConstant};

// One side (local or remote) of a message.
struct Part {
  std::vector<RecipientRecord> recipients;
  std::vector<Phase> phase;
  std::vector<uint64_t> delivery;  // for kInFlight: the delivery it is part of
  time_t next = 0;  // next attempt for idle recipients
};

struct Job {
  MessageInfo info;
  Part part[kChannels];
  time_t bounce_retry_at = 0;
  size_t in_flight = 0;
  Mark mark = Mark::kNone;  // hold/<id>, as last read (hold_mark.h)
  // Preprocessed by this manager, not read from disk: its todo/ file is
  // gone, only the local/ and remote/ files it has recipients for exist,
  // and a bounce/ file only once a failure was recorded (failed).
  bool fresh = false;
  bool failed = false;
  // A delivery of it was given up on (its connection lost): that run may
  // still read mess/, so the file is not recycled.
  bool abandoned = false;
  // Taken straight from todo/ (docs/queue.md, "Straight from todo/"): its
  // state is only in memory and its todo/ file, until a result other than
  // success makes WriteState write the files of a preprocessed message.
  bool unwritten = false;
};

// The connection to one delivery service.
struct Channel {
  UniqueFd conn;
  std::string out;
  RecordParser parser{kResultFields};
  time_t reconnect_at = 0;
  time_t reconnect_delay = kReconnectMinSeconds;
  bool down = false;  // the last connect failed (logged once until connected)
  std::deque<std::pair<MessageId, size_t>> pending;
  size_t in_flight = 0;  // deliveries (runs of the delivery program)
  uint64_t last_delivery = 0;
  std::map<uint64_t, size_t> open;  // delivery -> requests without a result
};

// How far past the front of the pending queue Dispatch looks for more
// recipients in the same domain to put into one remote delivery.
constexpr size_t kBatchScanLimit = 5000;
// The fewest recipients a remote delivery takes of a backlog it shares with
// the other free deliveries (all of them when fewer wait).
constexpr size_t kMinRemoteBatch = 10;

size_t CountTodo(const std::vector<RecipientRecord>& r) {
  return static_cast<size_t>(std::count_if(
      r.begin(), r.end(), [](const RecipientRecord& x) { return !x.done; }));
}

std::string ServiceName(size_t ch) {
  return std::string("the ") + kKind[ch] + " delivery service (" + kServices[ch] + ")";
}

class Manager {
 public:
  explicit Manager(SendOptions o)
      : opt_(std::move(o)), q_(QueueDir(opt_.root)), spares_(q_) {}
  int Run();

 private:
  void FullScan(time_t now);
  void RefreshMarks(bool retry_times);
  bool CheckMark(MessageId id, Job& job);
  void ScanTodo();
  void PreprocessAndLoad(const std::vector<MessageId>& ids, bool announced);
  void LoadJob(MessageId id, const PreprocessedMessage* fresh = nullptr,
               bool unwritten = false);
  bool WriteState(MessageId id, Job& job);
  void Schedule(time_t now);
  void Dispatch(size_t ch);
  bool Takeable(size_t ch, MessageId id, size_t index);
  std::vector<std::pair<MessageId, size_t>> PendingOf(size_t ch, const std::string& domain);
  std::vector<std::pair<MessageId, size_t>> SameDomain(
      size_t ch, const std::vector<std::pair<MessageId, size_t>>& candidates, MessageId first,
      size_t limit);
  void TryConnect(size_t ch, time_t now);
  void LoseConnection(size_t ch, time_t now, const std::string& why);
  void ReadConnection(size_t ch, time_t now);
  void WriteConnection(size_t ch, time_t now);
  RecipientRecord* InFlight(size_t ch, const DeliveryResult& r);
  void HandleResults(size_t ch, const std::vector<DeliveryResult>& results, time_t now);
  void HandleResult(size_t ch, const DeliveryResult& r, time_t now,
                    const Status* marked = nullptr);
  void RecordFailure(Job& job, size_t ch, size_t index, const std::string& reason,
                     MessageId id);
  void FinishJobs(time_t now);
  bool SyncResults();
  bool SendBounce(MessageId id, Job& job);
  time_t NextWake(time_t now) const;
  void HandleSignals(time_t now);
  unsigned Limit(size_t ch) const {
    return ch == 0 ? control_.concurrency_local : control_.concurrency_remote;
  }
  size_t InFlight() const { return chan_[0].in_flight + chan_[1].in_flight; }

  SendOptions opt_;
  std::string q_;
  SendControl control_;
  SpareFiles spares_;
  std::map<MessageId, Job> jobs_;
  Channel chan_[kChannels];
  time_t next_scan_ = 0;
  bool terminating_ = false;
  time_t term_deadline_ = 0;
  supervise::SelfPipe signals_;
  UniqueFd trigger_;
  TriggerReader trigger_reader_;
  // Done bytes written since the last sync of the queue's file system.
  bool results_unsynced_ = false;
  Status results_sync_failed_;  // a removal's sync failed while they were
};

// fresh: what preprocessing just wrote, so nothing is read back. Its mark
// is taken as none: Takeable reads it again before any delivery starts.
// unwritten: fresh is what todo/ holds, and nothing was written.
void Manager::LoadJob(MessageId id, const PreprocessedMessage* fresh, bool unwritten) {
  if (jobs_.count(id) != 0) return;
  Job job;
  if (fresh != nullptr) {
    job.info = fresh->info;
    job.part[0].recipients = fresh->local;
    job.part[1].recipients = fresh->remote;
    job.fresh = !unwritten;
    job.unwritten = unwritten;
  } else {
    Result<MessageInfo> info = ReadMessageInfo(q_, id);
    if (!info.ok()) {
      Log("warning: msg " + std::to_string(id) + ": " + info.status().message());
      return;
    }
    job.info = std::move(*info);
  }
  for (size_t ch = 0; ch < kChannels; ++ch) {
    Part& p = job.part[ch];
    if (fresh == nullptr) {
      auto r = ReadRecipients(q_, kAreas[ch], id);
      if (!r.ok()) {
        Log("warning: msg " + std::to_string(id) + ": " + r.status().message());
        return;
      }
      p.recipients = std::move(*r);
      p.next = NextAttempt(q_, kAreas[ch], id);
    }
    p.phase.assign(p.recipients.size(), Phase::kIdle);
    p.delivery.assign(p.recipients.size(), 0);
  }
  if (fresh == nullptr) {
    Result<Mark> mark = ReadMark(q_, id);
    job.mark = mark.ok() ? *mark : Mark::kHold;  // unreadable: hold, the safe side
  }
  Log("info msg " + std::to_string(id) + ": from <" + job.info.sender +
      "> local " + std::to_string(CountTodo(job.part[0].recipients)) + " remote " +
      std::to_string(CountTodo(job.part[1].recipients)));
  jobs_.emplace(id, std::move(job));
}

void Manager::ScanTodo() {
  std::vector<MessageId> ids;
  Status s = ForEachMessage(q_, QueueArea::kTodo,
                            [&](MessageId id) { ids.push_back(id); });
  if (!s.ok()) Log("warning: scanning todo: " + s.message());
  PreprocessAndLoad(ids, false);
}

// announced: the ids came from the trigger, so one whose todo/ file is gone
// (a scan took it first, or a repeated record) is no news. An announced
// message with one recipient whose service is connected is delivered
// straight from todo/; the others, and whatever a scan finds (it may be
// what a crash left), are preprocessed.
void Manager::PreprocessAndLoad(const std::vector<MessageId>& ids, bool announced) {
  std::vector<MessageId> fresh;
  std::set<MessageId> seen;
  std::vector<PreprocessedMessage> read;  // for fresh, when announced
  for (MessageId id : ids) {
    if (jobs_.count(id) != 0 || !seen.insert(id).second) continue;
    if (!announced) {
      fresh.push_back(id);
      continue;
    }
    Result<PreprocessedMessage> todo = ReadTodo(q_, id, control_.rules);
    if (!todo.ok()) {
      if (todo.status().error_number() != ENOENT) {
        Log("warning: msg " + std::to_string(id) + ": " + todo.status().message());
      }
      continue;
    }
    // Only while its delivery service is connected: a message that has to
    // wait for one gets its files at once.
    if (todo->local.size() + todo->remote.size() == 1 &&
        chan_[todo->local.empty() ? 1 : 0].conn.valid()) {
      LoadJob(id, &*todo, /*unwritten=*/true);
      continue;
    }
    fresh.push_back(id);
    read.push_back(std::move(*todo));
  }
  // A scan of all of todo/ may find what a crash left: drop the failures
  // recorded before it (message_state.h).
  std::vector<Status> done =
      announced ? PreprocessRead(q_, fresh, &read, &spares_)
                : PreprocessMessages(q_, fresh, control_.rules, &spares_,
                                     /*drop_bounce_records=*/true, &read);
  for (size_t i = 0; i < fresh.size(); ++i) {
    if (!done[i].ok()) {
      Log("warning: msg " + std::to_string(fresh[i]) + ": " + done[i].message());
      continue;
    }
    LoadJob(fresh[i], &read[i]);
  }
}

void Manager::FullScan(time_t now) {
  CleanupReport report;
  Status c = CleanupLeftovers(q_, kDefaultCleanupGrace, now, &report);
  if (!c.ok()) Log("warning: cleanup: " + c.message());
  if (report.tmp_removed + report.intd_removed + report.mess_removed > 0) {
    Log("cleanup: removed " + std::to_string(report.tmp_removed) + " tmp, " +
        std::to_string(report.intd_removed) + " intd, " +
        std::to_string(report.mess_removed) + " mess");
  }
  ScanTodo();
  Status s = ForEachMessage(q_, QueueArea::kInfo, [&](MessageId id) { LoadJob(id); });
  if (!s.ok()) Log("warning: scanning info: " + s.message());
  RefreshMarks(false);
  next_scan_ = now + kScanIntervalSeconds;
}

// Rereads every hold mark, and with retry_times the retry time (mtime) of
// every part, taking it when earlier than ours: yubin-queuectl requeue sets
// it to now. Only on a control poke, SIGALRM and the full scan.
void Manager::RefreshMarks(bool retry_times) {
  Result<std::map<MessageId, Mark>> marks = ReadAllMarks(q_);
  if (!marks.ok()) {
    Log("warning: reading the hold marks: " + marks.status().message());
    return;
  }
  // A mark whose message is gone (it ended while yubin-queuectl wrote it):
  // removed, so it cannot hold a later message that gets the same id.
  for (const auto& [id, mark] : *marks) {
    struct stat st;
    if (jobs_.count(id) == 0 && stat(MessagePath(q_, QueueArea::kMess, id).c_str(), &st) != 0 &&
        errno == ENOENT) {
      Status r = RemoveMark(q_, id);
      Log(r.ok() ? "status: removed the hold mark of msg " + std::to_string(id) +
                       ", which is no longer queued"
                 : "warning: " + r.message());
    }
  }
  for (auto& [id, job] : jobs_) {
    auto m = marks->find(id);
    Mark now_mark = m == marks->end() ? Mark::kNone : m->second;
    if (now_mark != job.mark) {
      Log("status: msg " + std::to_string(id) + ": " +
          (now_mark == Mark::kNone ? std::string("released") : MarkName(now_mark)));
    }
    job.mark = now_mark;
    if (!retry_times) continue;
    for (size_t ch = 0; ch < kChannels; ++ch) {
      Part& p = job.part[ch];
      if (CountTodo(p.recipients) == 0) continue;
      time_t t = NextAttempt(q_, kAreas[ch], id);
      if (t != 0 && t < p.next) p.next = t;
    }
  }
}

// The mark of one message read again right before a delivery starts, so a
// hold written before the manager saw the poke still stops it.
bool Manager::CheckMark(MessageId id, Job& job) {
  Result<Mark> m = ReadMark(q_, id);
  Mark now_mark = m.ok() ? *m : Mark::kHold;
  if (now_mark != job.mark && now_mark != Mark::kNone) {
    Log("status: msg " + std::to_string(id) + ": " + MarkName(now_mark));
  }
  job.mark = now_mark;
  return now_mark == Mark::kNone;
}

// Queues every idle recipient of each due part. A recipient that is waiting
// for a service we cannot reach bounces once the queue lifetime is over.
void Manager::Schedule(time_t now) {
  for (auto& [id, job] : jobs_) {
    if (job.mark != Mark::kNone) continue;
    bool expired = LifetimeExpired(job.info.birth, now, control_.queue_lifetime);
    for (size_t ch = 0; ch < kChannels; ++ch) {
      Part& p = job.part[ch];
      bool unreachable = chan_[ch].down && !chan_[ch].conn.valid();
      if (expired && unreachable && job.bounce_retry_at <= now) {
        for (size_t i = 0; i < p.recipients.size(); ++i) {
          if (p.recipients[i].done || p.phase[i] == Phase::kInFlight) continue;
          p.phase[i] = Phase::kIdle;
          RecordFailure(job, ch, i,
                        "Unable to reach " + ServiceName(ch) +
                            ", and this message has been in the queue too long. (#4.4.1)",
                        id);
        }
      }
      if (p.next > now) continue;
      for (size_t i = 0; i < p.recipients.size(); ++i) {
        if (p.recipients[i].done || p.phase[i] != Phase::kIdle) continue;
        p.phase[i] = Phase::kPending;
        chan_[ch].pending.emplace_back(id, i);
      }
    }
  }
}

// True when (id, index) is still waiting to be sent and its message is not
// held; a held one goes back to idle (scheduled again on release).
bool Manager::Takeable(size_t ch, MessageId id, size_t index) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second.part[ch].phase[index] != Phase::kPending) return false;
  if (!CheckMark(id, it->second)) {
    it->second.part[ch].phase[index] = Phase::kIdle;
    return false;
  }
  return true;
}

std::string DomainOf(const std::string& delivery) {
  size_t at = delivery.rfind('@');
  return at == std::string::npos ? "" : delivery.substr(at + 1);
}

// The pending remote recipients for domain within the first
// kBatchScanLimit entries of the queue, in queue order.
std::vector<std::pair<MessageId, size_t>> Manager::PendingOf(size_t ch,
                                                             const std::string& domain) {
  std::vector<std::pair<MessageId, size_t>> out;
  const Channel& c = chan_[ch];
  size_t scan = std::min(c.pending.size(), kBatchScanLimit);
  for (size_t i = 0; i < scan; ++i) {
    auto [id, index] = c.pending[i];
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.part[ch].phase[index] != Phase::kPending) continue;
    const std::string other = DomainOf(it->second.part[ch].recipients[index].delivery);
    if (strcasecmp(other.c_str(), domain.c_str()) == 0) out.emplace_back(id, index);
  }
  return out;
}

// Takes from candidates (PendingOf) up to limit more recipients to go with
// the first of message first: those of one message stay together and
// several messages share the connection. What is taken here is skipped when
// the queue reaches it.
std::vector<std::pair<MessageId, size_t>> Manager::SameDomain(
    size_t ch, const std::vector<std::pair<MessageId, size_t>>& candidates, MessageId first,
    size_t limit) {
  std::vector<std::pair<MessageId, size_t>> more;
  MessageId last = first;
  for (auto [id, index] : candidates) {
    if (more.size() + 1 >= kMaxDeliveryRequests) break;
    // Past the limit only the rest of the last message taken: a message's
    // recipients in one domain stay one transaction.
    if (more.size() >= limit && id != last) continue;
    if (!Takeable(ch, id, index)) continue;
    jobs_[id].part[ch].phase[index] = Phase::kInFlight;  // taken; set again below
    more.emplace_back(id, index);
    last = id;
  }
  return more;
}

// Sends pending recipients to the service while it has room: each local
// recipient is a delivery of its own; a remote delivery carries pending
// recipients of the same domain (its share of them among the free
// deliveries, at least kMinRemoteBatch, at most kMaxDeliveryRequests), so
// yubin-remote sends them over one connection, a message's recipients in
// one transaction.
void Manager::Dispatch(size_t ch) {
  Channel& c = chan_[ch];
  if (!c.conn.valid() || terminating_) return;
  while (!c.pending.empty() && c.in_flight < Limit(ch)) {
    auto [id, index] = c.pending.front();
    c.pending.pop_front();
    if (!Takeable(ch, id, index)) continue;
    std::vector<std::pair<MessageId, size_t>> batch{{id, index}};
    if (kAreas[ch] == QueueArea::kRemote) {
      jobs_[id].part[ch].phase[index] = Phase::kInFlight;
      const std::string domain = DomainOf(jobs_[id].part[ch].recipients[index].delivery);
      // A backlog for the domain is spread over the free deliveries, at
      // least kMinRemoteBatch recipients each, so a slow server still gets
      // parallel connections and a fast one few of them.
      const std::vector<std::pair<MessageId, size_t>> candidates = PendingOf(ch, domain);
      const size_t free_slots = Limit(ch) - c.in_flight;
      const size_t waiting = candidates.size() + 1;
      const size_t share = std::clamp<size_t>((waiting + free_slots - 1) / free_slots,
                                              kMinRemoteBatch, kMaxDeliveryRequests);
      for (auto& more : SameDomain(ch, candidates, id, share - 1)) batch.push_back(more);
    }
    const uint64_t delivery = ++c.last_delivery;
    c.open[delivery] = batch.size();
    ++c.in_flight;
    for (size_t k = 0; k < batch.size(); ++k) {
      auto [bid, bindex] = batch[k];
      Job& job = jobs_[bid];
      Part& p = job.part[ch];
      const std::string& address = p.recipients[bindex].delivery;
      size_t at = address.rfind('@');
      DeliveryRequest req{bid, bindex, address.substr(0, at), DomainOf(address),
                          job.info.sender, k + 1 < batch.size()};
      c.out += FormatRequest(req);
      p.phase[bindex] = Phase::kInFlight;
      p.delivery[bindex] = delivery;
      ++job.in_flight;
      Log("starting delivery " + std::to_string(bid) + "." + std::to_string(bindex) + ": to " +
          kKind[ch] + " " + p.recipients[bindex].recipient);
    }
  }
}

void Manager::TryConnect(size_t ch, time_t now) {
  Channel& c = chan_[ch];
  if (c.conn.valid() || now < c.reconnect_at || terminating_) return;
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  std::string path = LockDir(q_) + "/" + kSocketNames[ch];
  struct sockaddr_un sa = {};
  sa.sun_family = AF_UNIX;
  if (!fd.valid()) {
    Log("warning: cannot create a socket for " + path);
    c.reconnect_at = now + kReconnectMaxSeconds;
    return;
  }
  std::string_view(kSocketNames[ch]).copy(sa.sun_path, sizeof sa.sun_path - 1);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int err = errno;
    if (!c.down) {
      Log("warning: cannot connect to " + ServiceName(ch) + " " + path + ": " +
          strerror(err) + "; " + kKind[ch] +
          " recipients wait; trying again from time to time (up to every " +
          std::to_string(kReconnectMaxSeconds) + " s)");
    }
    c.down = true;
    c.reconnect_at = now + c.reconnect_delay;
    c.reconnect_delay = std::min(c.reconnect_delay * 2, kReconnectMaxSeconds);
    return;
  }
  Log(std::string("connected to the ") + kKind[ch] + " delivery service");
  c.conn = std::move(fd);
  c.parser = RecordParser(kResultFields);
  c.out.clear();
  c.down = false;
  c.reconnect_delay = kReconnectMinSeconds;
}

void Manager::LoseConnection(size_t ch, time_t now, const std::string& why) {
  Channel& c = chan_[ch];
  Log("warning: lost the connection to " + ServiceName(ch) + ": " + why);
  c.conn.reset();
  c.out.clear();
  c.reconnect_at = now + c.reconnect_delay;
  c.reconnect_delay = std::min(c.reconnect_delay * 2, kReconnectMaxSeconds);
  std::vector<std::pair<MessageId, size_t>> lost;
  for (auto& [id, job] : jobs_) {
    const Part& p = job.part[ch];
    for (size_t i = 0; i < p.phase.size(); ++i) {
      if (p.phase[i] == Phase::kInFlight) lost.emplace_back(id, i);
    }
  }
  const std::string text = "Lost the connection to " + ServiceName(ch) + ". (#4.3.0)";
  for (auto [id, index] : lost) {
    jobs_[id].abandoned = true;
    HandleResult(ch, {id, index, 111, text}, now);
  }
}

void Manager::ReadConnection(size_t ch, time_t now) {
  Channel& c = chan_[ch];
  char buf[kRecordReadBytes];
  ssize_t n = read(c.conn.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    LoseConnection(ch, now, n == 0 ? "closed by the service" : strerror(errno));
    return;
  }
  c.parser.Feed(std::string_view(buf, static_cast<size_t>(n)));
  std::vector<DeliveryResult> results;
  while (auto rec = c.parser.Next()) {
    std::optional<DeliveryResult> r = ParseResult(*rec);
    if (!r) {
      HandleResults(ch, results, now);
      LoseConnection(ch, now, "malformed result record");
      return;
    }
    results.push_back(std::move(*r));
  }
  HandleResults(ch, results, now);
  if (c.parser.failed()) LoseConnection(ch, now, "protocol error");
}

void Manager::WriteConnection(size_t ch, time_t now) {
  Channel& c = chan_[ch];
  ssize_t n = write(c.conn.get(), c.out.data(), c.out.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    LoseConnection(ch, now, std::string("write: ") + strerror(errno));
    return;
  }
  c.out.erase(0, static_cast<size_t>(n));
}

// Gives a job taken straight from todo/ the files of a preprocessed message,
// before anything but a success is recorded for it. False (logged) when
// they cannot be written: todo/ still holds the message, and the recipient
// is tried again later rather than in a tight loop.
bool Manager::WriteState(MessageId id, Job& job) {
  if (!job.unwritten) return true;
  PreprocessedMessage state{job.info, job.part[0].recipients, job.part[1].recipients};
  Status s = WriteMessageState(q_, id, &state, &spares_);
  if (!s.ok()) {
    Log("warning: msg " + std::to_string(id) + ": " + s.message());
    for (Part& p : job.part) p.next = time(nullptr) + kBounceRetrySeconds;
    return false;
  }
  job.part[0].recipients = std::move(state.local);
  job.part[1].recipients = std::move(state.remote);
  job.unwritten = false;
  job.fresh = true;
  return true;
}

void Manager::RecordFailure(Job& job, size_t ch, size_t index,
                            const std::string& reason, MessageId id) {
  if (!WriteState(id, job)) return;
  RecipientRecord& r = job.part[ch].recipients[index];
  job.failed = true;  // bounce/ may exist from here on, whatever happens next
  Status s = AppendBounceRecord(q_, id, r.recipient, reason);
  if (s.ok()) s = MarkRecipientDone(q_, kAreas[ch], id, r.offset);
  if (!s.ok()) {
    // Stays T; tried again later rather than in a tight loop.
    Log("warning: msg " + std::to_string(id) + ": " + s.message());
    job.bounce_retry_at = time(nullptr) + kBounceRetrySeconds;
    job.part[ch].next = job.bounce_retry_at;
    return;
  }
  r.done = true;
}

// The recipient a result is for, if it is in flight.
RecipientRecord* Manager::InFlight(size_t ch, const DeliveryResult& r) {
  auto it = jobs_.find(r.id);
  if (it == jobs_.end() || r.index >= it->second.part[ch].recipients.size() ||
      it->second.part[ch].phase[r.index] != Phase::kInFlight) {
    return nullptr;
  }
  return &it->second.part[ch].recipients[r.index];
}

// The results of one read: the done bytes of every success are written,
// and made durable by the next sync of the queue's file system in this pass
// of the loop (FinishJobs' removal, or SyncResults): one sync for every
// result and removal of the pass instead of one each. Until then a crash
// means the deliveries are made again (docs/queue.md, "Duplicates").
void Manager::HandleResults(size_t ch, const std::vector<DeliveryResult>& results, time_t now) {
  std::vector<std::optional<Status>> marked(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != 0) continue;
    RecipientRecord* rec = InFlight(ch, results[i]);
    if (rec == nullptr) continue;
    if (jobs_[results[i].id].unwritten) {
      marked[i] = Status::Ok();  // recorded by the removal of todo/
      continue;
    }
    marked[i] = WriteDoneByte(q_, kAreas[ch], results[i].id, rec->offset);
    results_unsynced_ = results_unsynced_ || marked[i]->ok();
  }
  for (size_t i = 0; i < results.size(); ++i) {
    HandleResult(ch, results[i], now, marked[i] ? &*marked[i] : nullptr);
  }
}

// Makes the done bytes written since the last sync durable. False when the
// sync failed: then nobody knows which of them are, and a sync retried
// after a failure may report success for writes that were dropped, so the
// manager exits (111) and starts over from what the disk holds; at worst
// some deliveries are made again.
bool Manager::SyncResults() {
  if (!results_unsynced_) return true;
  Status s = results_sync_failed_.ok() ? SyncFileSystem(q_) : results_sync_failed_;
  if (!s.ok()) {
    Log("alert: cannot make delivery results durable: " + s.message() +
        "; exiting to start over from the queue on disk");
    return false;
  }
  results_unsynced_ = false;
  return true;
}

// marked: for a success, whether its done byte was written (else it is
// written and fsynced here).
void Manager::HandleResult(size_t ch, const DeliveryResult& r, time_t now,
                           const Status* marked) {
  auto it = jobs_.find(r.id);
  if (InFlight(ch, r) == nullptr) {
    Log(std::string("warning: result for an unknown ") + kKind[ch] + " delivery " +
        std::to_string(r.id) + "." + std::to_string(r.index));
    return;
  }
  Job& job = it->second;
  Part& p = job.part[ch];
  p.phase[r.index] = Phase::kIdle;
  --job.in_flight;
  Channel& c = chan_[ch];
  if (auto open = c.open.find(p.delivery[r.index]); open != c.open.end() && --open->second == 0) {
    c.open.erase(open);
    --c.in_flight;
  }
  RecipientRecord& rec = p.recipients[r.index];
  std::string name = "delivery " + std::to_string(r.id) + "." + std::to_string(r.index) +
                     ": " + rec.recipient + ": ";
  if (r.status == 0) {
    Status s = marked != nullptr ? *marked : MarkRecipientDone(q_, kAreas[ch], r.id, rec.offset);
    if (s.ok()) {
      rec.done = true;
    } else {
      // Not recorded: it will be delivered again, but not in a tight loop.
      Log("warning: " + s.message());
      p.next = now + kBounceRetrySeconds;
    }
    Log(name + "success: " + r.text);
  } else if (r.status == 100 ||
             LifetimeExpired(job.info.birth, now, control_.queue_lifetime)) {
    std::string reason = r.text;
    if (r.status != 100) reason += std::string(reason.empty() ? "" : "\n") + kTooLong;
    RecordFailure(job, ch, r.index, reason, r.id);
    Log(name + "failure: " + reason);
  } else {
    if (WriteState(r.id, job)) {
      p.next = std::min<time_t>(NextRetry(job.info.birth, now, kRetryConstants[ch]),
                                job.info.birth + control_.queue_lifetime);
      if (p.next <= now) p.next = now + 1;
    }
    Log(name + "deferral: " + r.text);
  }
  if (CountTodo(p.recipients) > 0 && p.next > now && !job.unwritten) {
    Status s = SetNextAttempt(q_, kAreas[ch], r.id, p.next);
    if (!s.ok()) Log("warning: " + s.message());
  }
}

bool Manager::SendBounce(MessageId id, Job& job) {
  // No bounce/ file: nothing failed.
  if ((job.fresh || job.unwritten) && !job.failed) return true;
  Result<std::vector<BounceFailure>> failures = ReadBounceRecords(q_, id);
  if (!failures.ok()) {
    Log("warning: msg " + std::to_string(id) + ": " + failures.status().message());
    return false;
  }
  if (failures->empty()) return true;
  std::optional<BouncePlan> plan = PlanBounce(control_.bounce, job.info.sender);
  if (!plan) {
    Log("msg " + std::to_string(id) + ": double bounce failed; discarding it");
  } else {
    Result<std::string> original = ReadMessageHead(q_, id, kBounceCopyLimit);
    if (!original.ok()) {
      Log("warning: msg " + std::to_string(id) + ": " + original.status().message());
      return false;
    }
    std::string text = BuildBounce(control_.bounce, *plan, *failures, *original, time(nullptr));
    const std::vector<std::string> recipients = {plan->recipient};
    Status s = CheckEnvelope(plan->sender, recipients);
    if (s.ok()) {
      QueueClient sub;
      s = sub.StartDefault();
      if (s.ok()) {
        sub.WriteMessage(text);
        QueueOutcome out = sub.Finish(PackEnvelope(plan->sender, recipients));
        s = out.ran ? QueueExitStatus(out.wait_status)
                    : Status::Temporary("the queue program did not take the whole bounce");
      }
    }
    if (!s.ok()) {
      Log("warning: msg " + std::to_string(id) + ": cannot queue the bounce: " + s.message());
      return false;
    }
    Log("bounce msg " + std::to_string(id) + ": queued to <" + plan->recipient + ">" +
        (plan->double_bounce ? " (double bounce)" : ""));
  }
  Status r = RemoveBounceRecords(q_, id);
  if (!r.ok()) {
    Log("warning: " + r.message());
    return false;
  }
  return true;
}

// Removes the messages that are done (and those yubin-queuectl deleted) as
// one group: RemoveMessages syncs once for all of them.
void Manager::FinishJobs(time_t now) {
  std::vector<MessageId> ending;
  for (auto& [id, job] : jobs_) {
    if (job.mark == Mark::kDelete && job.in_flight == 0) {
      ending.push_back(id);
      continue;
    }
    if (job.in_flight > 0 || CountTodo(job.part[0].recipients) > 0 ||
        CountTodo(job.part[1].recipients) > 0 || job.bounce_retry_at > now) {
      continue;
    }
    if (!SendBounce(id, job)) {
      job.bounce_retry_at = now + kBounceRetrySeconds;
      continue;
    }
    ending.push_back(id);
  }
  if (ending.empty()) return;
  std::vector<MessageFiles> files(ending.size());
  for (size_t i = 0; i < ending.size(); ++i) {
    const Job& job = jobs_[ending[i]];
    // Read from disk: look for everything, and keep no spare of its mess/
    // (a manager before us may have left deliveries of it running).
    files[i].recycle_mess = job.fresh && !job.abandoned;
    if (job.unwritten) {
      files[i] = {.todo = true, .local = false, .remote = false, .bounce = false,
                  .info = false, .recycle_mess = !job.abandoned};
      continue;
    }
    if (!job.fresh) continue;
    files[i] = {.todo = false,
                .local = !job.part[0].recipients.empty(),
                .remote = !job.part[1].recipients.empty(),
                .bounce = job.failed,
                .recycle_mess = !job.abandoned};
  }
  Status synced;
  std::vector<Status> removed = RemoveMessages(q_, ending, &spares_, &synced, &files);
  // Its sync covered the done bytes written before it too. A failed one
  // leaves them in doubt: SyncResults exits rather than sync again.
  if (synced.ok()) {
    results_unsynced_ = false;
  } else if (results_unsynced_) {
    results_sync_failed_ = synced;
  }
  for (size_t i = 0; i < ending.size(); ++i) {
    const MessageId id = ending[i];
    Job& job = jobs_[id];
    const bool deleted = job.mark == Mark::kDelete;
    if (!removed[i].ok()) {
      Log("warning: msg " + std::to_string(id) + (deleted ? ": deleting: " : ": ") +
          removed[i].message());
      if (!deleted) job.bounce_retry_at = now + kBounceRetrySeconds;
      continue;
    }
    Log(deleted ? "deleted msg " + std::to_string(id) + " (yubin-queuectl delete; no bounce)"
                : "end msg " + std::to_string(id));
    jobs_.erase(id);
  }
}

time_t Manager::NextWake(time_t now) const {
  time_t wake = next_scan_;
  if (terminating_) return std::max(std::min(wake, term_deadline_), now);
  for (const auto& [id, job] : jobs_) {
    if (job.mark != Mark::kNone) continue;  // held: woken by a control poke
    for (size_t ch = 0; ch < kChannels; ++ch) {
      const Part& p = job.part[ch];
      bool idle_todo = false, waiting = false;
      for (size_t i = 0; i < p.recipients.size(); ++i) {
        if (p.recipients[i].done) continue;
        if (p.phase[i] == Phase::kIdle) idle_todo = true;
        if (p.phase[i] != Phase::kInFlight) waiting = true;
      }
      if (idle_todo) wake = std::min(wake, p.next);
      if (waiting && chan_[ch].down) {
        wake = std::min<time_t>(wake, std::max<time_t>(job.info.birth + control_.queue_lifetime,
                                                       job.bounce_retry_at));
      }
    }
    if (job.bounce_retry_at > now) wake = std::min(wake, job.bounce_retry_at);
  }
  for (const Channel& c : chan_) {
    if (!c.conn.valid() && !c.pending.empty()) wake = std::min(wake, c.reconnect_at);
  }
  return std::max(wake, now);
}

void Manager::HandleSignals(time_t now) {
  while (int sig = signals_.Next()) {
    if (sig == SIGALRM) {
      Log("status: SIGALRM: retrying everything now");
      for (auto& [id, job] : jobs_) {
        for (Part& p : job.part) p.next = 0;
      }
      for (Channel& c : chan_) {
        c.reconnect_at = 0;
        c.reconnect_delay = kReconnectMinSeconds;
      }
      next_scan_ = now;  // the full scan rereads the hold marks
    } else if (sig == SIGHUP) {
      Result<SendControl> c = ReadSendControl(opt_.root);
      if (c.ok()) {
        control_ = std::move(*c);
        Log("status: SIGHUP: control files reread");
      } else {
        Log("warning: SIGHUP: keeping the old settings: " + c.status().message());
      }
    } else if (sig == SIGTERM && !terminating_) {
      terminating_ = true;
      term_deadline_ = now + kTermWaitSeconds;
      Log("status: SIGTERM: waiting for " + std::to_string(InFlight()) +
          " deliveries in flight");
    }
  }
}

int Manager::Run() {
  Status s = CheckQueueLayout(q_);
  if (!s.ok()) {
    Log("alert: " + s.message());
    return 111;
  }
  UniqueFd mutex(OpenRetry(SendMutexPath(q_).c_str(), O_RDWR | O_CREAT | O_CLOEXEC,
                           kQueueFileMode));
  if (!mutex.valid() || flock(mutex.get(), LOCK_EX | LOCK_NB) != 0) {
    Log("alert: cannot lock " + SendMutexPath(q_) + ": another yubin-send is running?");
    return 111;
  }
  Result<SendControl> c = ReadSendControl(opt_.root);
  if (!c.ok()) {
    Log("alert: control files: " + c.status().message());
    return 111;
  }
  control_ = std::move(*c);
  signal(SIGPIPE, SIG_IGN);
  s = signals_.Install({SIGALRM, SIGHUP, SIGTERM});
  if (!s.ok()) {
    Log("alert: " + s.message());
    return 111;
  }
  if (chdir(LockDir(q_).c_str()) != 0) {
    Log("alert: cannot chdir to " + LockDir(q_) + ": " + strerror(errno));
    return 111;
  }
  trigger_ = OpenTriggerForManager(q_);
  if (!trigger_.valid()) {
    Log("alert: cannot open " + TriggerPath(q_));
    return 111;
  }
  time_t now = time(nullptr);
  FullScan(now);
  Log("status: yubin-send started");
  if (opt_.ready_fd >= 0) {
    (void)WriteAll(opt_.ready_fd, "\n");
    close(opt_.ready_fd);
  }
  for (;;) {
    now = time(nullptr);
    HandleSignals(now);
    if (terminating_ && (InFlight() == 0 || now >= term_deadline_)) {
      // A message taken straight from todo/ is recorded as delivered only
      // by its removal: what ended meanwhile goes now, not at the next start.
      FinishJobs(now);
      if (!SyncResults()) return 111;
      Log("status: exiting; " + std::to_string(InFlight()) +
          " deliveries left in flight will be redone");
      return 0;
    }
    if (!terminating_) {
      if (now >= next_scan_) FullScan(now);
      Schedule(now);
      for (size_t ch = 0; ch < kChannels; ++ch) {
        if (!chan_[ch].pending.empty()) TryConnect(ch, now);
        Dispatch(ch);
        // Sent now, not after this pass's removals and sync: the delivery
        // runs while we sync (on a busy queue that halved the time from
        // dispatch to result, and the backlog waiting for a free delivery
        // went away).
        if (chan_[ch].conn.valid() && !chan_[ch].out.empty()) WriteConnection(ch, now);
      }
    }
    FinishJobs(now);
    if (!SyncResults()) return 111;
    struct pollfd fds[2 + kChannels] = {{signals_.fd(), POLLIN, 0}, {trigger_.get(), POLLIN, 0}};
    for (size_t ch = 0; ch < kChannels; ++ch) {
      const Channel& chan = chan_[ch];
      fds[2 + ch] = {chan.conn.valid() ? chan.conn.get() : -1,
                     static_cast<short>(POLLIN | (chan.out.empty() ? 0 : POLLOUT)), 0};
    }
    time_t wake = NextWake(now);
    int timeout_ms = static_cast<int>(std::min<time_t>(wake - now, 86400) * 1000);
    if (wake > now) timeout_ms += 1;  // land after the second boundary
    int n = poll(fds, 2 + kChannels, timeout_ms);
    if (n < 0 && errno != EINTR) {
      Log(std::string("alert: poll: ") + strerror(errno));
      return 111;
    }
    now = time(nullptr);
    if (n <= 0) continue;
    if ((fds[1].revents & POLLIN) != 0) {
      TriggerNews news = trigger_reader_.Drain(trigger_.get());
      if (!terminating_) {
        if (news.scan_all) {
          ScanTodo();
        } else {
          PreprocessAndLoad(news.ids, true);
        }
      }
      if (!terminating_ && news.control) RefreshMarks(true);
    }
    for (size_t ch = 0; ch < kChannels; ++ch) {
      const pollfd& f = fds[2 + ch];
      if (f.fd < 0 || f.fd != chan_[ch].conn.get()) continue;
      if ((f.revents & (POLLIN | POLLHUP | POLLERR)) != 0) ReadConnection(ch, now);
      if (chan_[ch].conn.valid() && (f.revents & POLLOUT) != 0) WriteConnection(ch, now);
    }
  }
}

}  // namespace

std::string LspawnSocketPath(const std::string& root) {
  return LockDir(QueueDir(root)) + "/lspawn.sock";
}

int RunSendManager(const SendOptions& options) {
  Manager m(options);
  return m.Run();
}

}  // namespace yubin::queue
