// send_manager.cc: see send_manager.h.
#include "lib/queue/send_manager.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <vector>

#include "lib/base/fd.h"
#include "lib/queue/cleanup.h"
#include "lib/queue/delivery_records.h"
#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "lib/queue/queue_client.h"
#include "lib/queue/retry_schedule.h"
#include "lib/queue/send_control.h"
#include "lib/queue/trigger.h"
#include "supervise/self_pipe.h"

namespace yubin::queue {
namespace {

constexpr size_t kReadChunk = 65536;
constexpr char kLostConnection[] =
    "Lost the connection to the local delivery service (yubin-lspawn). (#4.3.0)";
constexpr char kTooLong[] =
    "I'm not going to try again; this message has been in the queue too long.";
constexpr char kNoRemoteAgent[] =
    "No remote delivery agent is configured on this host, and this message "
    "has been in the queue too long. (#4.4.1)";

void Log(const std::string& line) {
  std::string out;
  for (char c : line) out.push_back(c == '\n' ? '/' : c);
  out.push_back('\n');
  (void)WriteAll(2, out);
}

enum class Phase { kIdle, kPending, kInFlight };

struct Job {
  MessageInfo info;
  std::vector<RecipientRecord> local, remote;
  std::vector<Phase> phase;  // per local recipient
  time_t local_next = 0;
  time_t bounce_retry_at = 0;
  bool remote_logged = false;
  size_t in_flight = 0;
};

size_t CountTodo(const std::vector<RecipientRecord>& r) {
  return static_cast<size_t>(std::count_if(
      r.begin(), r.end(), [](const RecipientRecord& x) { return !x.done; }));
}

class Manager {
 public:
  explicit Manager(SendOptions o) : opt_(std::move(o)), q_(QueueDir(opt_.root)) {}
  int Run();

 private:
  void FullScan(time_t now);
  void ScanTodo();
  void LoadJob(MessageId id);
  void Schedule(time_t now);
  void Dispatch();
  void TryConnect(time_t now);
  void LoseConnection(time_t now, const std::string& why);
  void ReadConnection(time_t now);
  void WriteConnection(time_t now);
  void HandleResult(const DeliveryResult& r, time_t now);
  void RecordFailure(Job& job, QueueArea area, size_t index,
                     const std::string& reason, MessageId id);
  void FinishJobs(time_t now);
  bool SendBounce(MessageId id, Job& job);
  time_t NextWake(time_t now) const;
  void HandleSignals(time_t now);

  SendOptions opt_;
  std::string q_;
  SendControl control_;
  std::map<MessageId, Job> jobs_;
  std::deque<std::pair<MessageId, size_t>> pending_;
  size_t in_flight_ = 0;
  UniqueFd conn_;
  std::string out_;
  RecordParser parser_{kResultFields};
  time_t reconnect_at_ = 0;
  time_t reconnect_delay_ = kReconnectMinSeconds;
  time_t next_scan_ = 0;
  bool terminating_ = false;
  time_t term_deadline_ = 0;
  supervise::SelfPipe signals_;
  UniqueFd trigger_;
};

void Manager::LoadJob(MessageId id) {
  if (jobs_.count(id) != 0) return;
  Result<MessageInfo> info = ReadMessageInfo(q_, id);
  if (!info.ok()) {
    Log("warning: msg " + std::to_string(id) + ": " + info.status().message());
    return;
  }
  auto local = ReadRecipients(q_, QueueArea::kLocal, id);
  auto remote = ReadRecipients(q_, QueueArea::kRemote, id);
  if (!local.ok() || !remote.ok()) {
    Log("warning: msg " + std::to_string(id) + ": " +
        (local.ok() ? remote.status() : local.status()).message());
    return;
  }
  Job job;
  job.info = std::move(*info);
  job.local = std::move(*local);
  job.remote = std::move(*remote);
  job.phase.assign(job.local.size(), Phase::kIdle);
  job.local_next = NextAttempt(q_, QueueArea::kLocal, id);
  Log("info msg " + std::to_string(id) + ": from <" + job.info.sender +
      "> local " + std::to_string(CountTodo(job.local)) + " remote " +
      std::to_string(CountTodo(job.remote)));
  jobs_.emplace(id, std::move(job));
}

void Manager::ScanTodo() {
  std::vector<MessageId> ids;
  Status s = ForEachMessage(q_, QueueArea::kTodo,
                            [&](MessageId id) { ids.push_back(id); });
  if (!s.ok()) Log("warning: scanning todo: " + s.message());
  for (MessageId id : ids) {
    Status p = PreprocessMessage(q_, id, control_.rules);
    if (!p.ok()) {
      Log("warning: msg " + std::to_string(id) + ": " + p.message());
      continue;
    }
    LoadJob(id);
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
  next_scan_ = now + kScanIntervalSeconds;
}

// Queues every idle local recipient of each due job; bounces remote
// recipients at the end of the queue lifetime.
void Manager::Schedule(time_t now) {
  for (auto& [id, job] : jobs_) {
    if (job.local_next <= now) {
      for (size_t i = 0; i < job.local.size(); ++i) {
        if (job.local[i].done || job.phase[i] != Phase::kIdle) continue;
        job.phase[i] = Phase::kPending;
        pending_.emplace_back(id, i);
      }
    }
    if (CountTodo(job.remote) == 0 || job.bounce_retry_at > now) continue;
    if (LifetimeExpired(job.info.birth, now, control_.queue_lifetime)) {
      for (size_t i = 0; i < job.remote.size(); ++i) {
        if (!job.remote[i].done) RecordFailure(job, QueueArea::kRemote, i, kNoRemoteAgent, id);
      }
    } else if (!job.remote_logged) {
      Log("msg " + std::to_string(id) + ": no remote delivery agent is configured; " +
          std::to_string(CountTodo(job.remote)) + " remote recipient(s) stay queued");
      job.remote_logged = true;
    }
  }
}

void Manager::Dispatch() {
  if (!conn_.valid() || terminating_) return;
  while (!pending_.empty() && in_flight_ < control_.concurrency_local) {
    auto [id, index] = pending_.front();
    pending_.pop_front();
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.phase[index] != Phase::kPending) continue;
    Job& job = it->second;
    const std::string& delivery = job.local[index].delivery;
    size_t at = delivery.rfind('@');
    DeliveryRequest req{id, index, delivery.substr(0, at),
                        at == std::string::npos ? "" : delivery.substr(at + 1),
                        job.info.sender};
    out_ += FormatRequest(req);
    job.phase[index] = Phase::kInFlight;
    ++job.in_flight;
    ++in_flight_;
    Log("starting delivery " + std::to_string(id) + "." + std::to_string(index) +
        ": to local " + job.local[index].recipient);
  }
}

void Manager::TryConnect(time_t now) {
  if (conn_.valid() || now < reconnect_at_ || terminating_) return;
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  std::string path = LspawnSocketPath(opt_.root);
  struct sockaddr_un sa = {};
  sa.sun_family = AF_UNIX;
  if (!fd.valid()) {
    Log("warning: cannot create a socket for " + path);
    reconnect_at_ = now + kReconnectMaxSeconds;
    return;
  }
  std::string_view(kLspawnSocketName).copy(sa.sun_path, sizeof sa.sun_path - 1);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int err = errno;
    Log("warning: cannot connect to the local delivery service " + path + ": " +
        strerror(err) + "; trying again in " + std::to_string(reconnect_delay_) + " s");
    reconnect_at_ = now + reconnect_delay_;
    reconnect_delay_ = std::min(reconnect_delay_ * 2, kReconnectMaxSeconds);
    return;
  }
  Log("connected to the local delivery service");
  conn_ = std::move(fd);
  parser_ = RecordParser(kResultFields);
  out_.clear();
  reconnect_delay_ = kReconnectMinSeconds;
}

void Manager::LoseConnection(time_t now, const std::string& why) {
  Log("warning: lost the connection to the local delivery service: " + why);
  conn_.reset();
  out_.clear();
  reconnect_at_ = now + reconnect_delay_;
  reconnect_delay_ = std::min(reconnect_delay_ * 2, kReconnectMaxSeconds);
  std::vector<std::pair<MessageId, size_t>> lost;
  for (auto& [id, job] : jobs_) {
    for (size_t i = 0; i < job.phase.size(); ++i) {
      if (job.phase[i] == Phase::kInFlight) lost.emplace_back(id, i);
    }
  }
  for (auto [id, index] : lost) {
    HandleResult({id, index, 111, kLostConnection}, now);
  }
}

void Manager::ReadConnection(time_t now) {
  char buf[kReadChunk];
  ssize_t n = read(conn_.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    LoseConnection(now, n == 0 ? "closed by the service" : strerror(errno));
    return;
  }
  parser_.Feed(std::string_view(buf, static_cast<size_t>(n)));
  while (auto rec = parser_.Next()) {
    std::optional<DeliveryResult> r = ParseResult(*rec);
    if (!r) {
      LoseConnection(now, "malformed result record");
      return;
    }
    HandleResult(*r, now);
  }
  if (parser_.failed()) {
    LoseConnection(now, "protocol error");
  }
}

void Manager::WriteConnection(time_t now) {
  ssize_t n = write(conn_.get(), out_.data(), out_.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    LoseConnection(now, std::string("write: ") + strerror(errno));
    return;
  }
  out_.erase(0, static_cast<size_t>(n));
}

void Manager::RecordFailure(Job& job, QueueArea area, size_t index,
                            const std::string& reason, MessageId id) {
  RecipientRecord& r = area == QueueArea::kLocal ? job.local[index] : job.remote[index];
  Status s = AppendBounceRecord(q_, id, r.recipient, reason);
  if (s.ok()) s = MarkRecipientDone(q_, area, id, r.offset);
  if (!s.ok()) {
    // Stays T; tried again later rather than in a tight loop.
    Log("warning: msg " + std::to_string(id) + ": " + s.message());
    job.bounce_retry_at = time(nullptr) + kBounceRetrySeconds;
    job.local_next = job.bounce_retry_at;
    return;
  }
  r.done = true;
}

void Manager::HandleResult(const DeliveryResult& r, time_t now) {
  auto it = jobs_.find(r.id);
  if (it == jobs_.end() || r.index >= it->second.local.size() ||
      it->second.phase[r.index] != Phase::kInFlight) {
    Log("warning: result for an unknown delivery " + std::to_string(r.id) + "." +
        std::to_string(r.index));
    return;
  }
  Job& job = it->second;
  job.phase[r.index] = Phase::kIdle;
  --job.in_flight;
  --in_flight_;
  RecipientRecord& rec = job.local[r.index];
  std::string name = "delivery " + std::to_string(r.id) + "." + std::to_string(r.index) +
                     ": " + rec.recipient + ": ";
  if (r.status == 0) {
    Status s = MarkRecipientDone(q_, QueueArea::kLocal, r.id, rec.offset);
    if (s.ok()) {
      rec.done = true;
    } else {
      // Not recorded: it will be delivered again, but not in a tight loop.
      Log("warning: " + s.message());
      job.local_next = now + kBounceRetrySeconds;
    }
    Log(name + "success: " + r.text);
  } else if (r.status == 100 ||
             LifetimeExpired(job.info.birth, now, control_.queue_lifetime)) {
    std::string reason = r.text;
    if (r.status != 100) reason += std::string(reason.empty() ? "" : "\n") + kTooLong;
    RecordFailure(job, QueueArea::kLocal, r.index, reason, r.id);
    Log(name + "failure: " + reason);
  } else {
    job.local_next = std::min<time_t>(
        NextRetry(job.info.birth, now, kLocalRetryConstant),
        job.info.birth + control_.queue_lifetime);
    if (job.local_next <= now) job.local_next = now + 1;
    Log(name + "deferral: " + r.text);
  }
  if (CountTodo(job.local) > 0 && job.local_next > now) {
    Status s = SetNextAttempt(q_, QueueArea::kLocal, r.id, job.local_next);
    if (!s.ok()) Log("warning: " + s.message());
  }
}

bool Manager::SendBounce(MessageId id, Job& job) {
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
      s = sub.Start(QueueProgramPath());
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

void Manager::FinishJobs(time_t now) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    Job& job = it->second;
    MessageId id = it->first;
    if (job.in_flight > 0 || CountTodo(job.local) > 0 || CountTodo(job.remote) > 0 ||
        job.bounce_retry_at > now) {
      ++it;
      continue;
    }
    if (!SendBounce(id, job)) {
      job.bounce_retry_at = now + kBounceRetrySeconds;
      ++it;
      continue;
    }
    Status s = RemoveMessage(q_, id);
    if (!s.ok()) {
      Log("warning: msg " + std::to_string(id) + ": " + s.message());
      job.bounce_retry_at = now + kBounceRetrySeconds;
      ++it;
      continue;
    }
    Log("end msg " + std::to_string(id));
    it = jobs_.erase(it);
  }
}

time_t Manager::NextWake(time_t now) const {
  time_t wake = next_scan_;
  if (terminating_) return std::max(std::min(wake, term_deadline_), now);
  for (const auto& [id, job] : jobs_) {
    bool idle_todo = false;
    for (size_t i = 0; i < job.local.size(); ++i) {
      if (!job.local[i].done && job.phase[i] == Phase::kIdle) idle_todo = true;
    }
    if (idle_todo) wake = std::min(wake, job.local_next);
    if (CountTodo(job.remote) > 0) {
      wake = std::min<time_t>(
          wake, std::max<time_t>(job.info.birth + control_.queue_lifetime, job.bounce_retry_at));
    }
    if (job.bounce_retry_at > now) wake = std::min(wake, job.bounce_retry_at);
  }
  if (!conn_.valid() && !pending_.empty()) wake = std::min(wake, reconnect_at_);
  return std::max(wake, now);
}

void Manager::HandleSignals(time_t now) {
  while (int sig = signals_.Next()) {
    if (sig == SIGALRM) {
      Log("status: SIGALRM: retrying everything now");
      for (auto& [id, job] : jobs_) job.local_next = 0;
      reconnect_at_ = 0;
      reconnect_delay_ = kReconnectMinSeconds;
      next_scan_ = now;
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
      Log("status: SIGTERM: waiting for " + std::to_string(in_flight_) +
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
    if (terminating_ && (in_flight_ == 0 || now >= term_deadline_)) {
      Log("status: exiting; " + std::to_string(in_flight_) +
          " deliveries left in flight will be redone");
      return 0;
    }
    if (!terminating_) {
      if (now >= next_scan_) FullScan(now);
      Schedule(now);
      if (!pending_.empty()) TryConnect(now);
      Dispatch();
      FinishJobs(now);
    }
    struct pollfd fds[3] = {{signals_.fd(), POLLIN, 0}, {trigger_.get(), POLLIN, 0},
                            {conn_.get(), 0, 0}};
    nfds_t nfds = 2;
    if (conn_.valid()) {
      fds[2].events = static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT));
      nfds = 3;
    }
    time_t wake = NextWake(now);
    int timeout_ms = static_cast<int>(std::min<time_t>(wake - now, 86400) * 1000);
    if (wake > now) timeout_ms += 1;  // land after the second boundary
    int n = poll(fds, nfds, timeout_ms);
    if (n < 0 && errno != EINTR) {
      Log(std::string("alert: poll: ") + strerror(errno));
      return 111;
    }
    now = time(nullptr);
    if (n <= 0) continue;
    if ((fds[1].revents & POLLIN) != 0) {
      DrainTrigger(trigger_.get());
      if (!terminating_) ScanTodo();
    }
    if (nfds == 3 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ReadConnection(now);
    }
    if (conn_.valid() && nfds == 3 && (fds[2].revents & POLLOUT) != 0) {
      WriteConnection(now);
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
