// intake_server.cc: see intake_server.h.
#include "lib/queue/intake_server.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <new>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/base/mail_date.h"
#include "lib/queue/enqueue.h"
#include "lib/queue/group_sync.h"
#include "lib/queue/spare_files.h"
#include "lib/queue/trigger.h"
#include "lib/queue/intake_protocol.h"
#include "lib/queue/layout.h"
#include "lib/queue/queue_command.h"
#include "lib/queue/unix_listener.h"
#include "supervise/self_pipe.h"

namespace yubin::queue {
namespace {

constexpr int kListenBacklog = 128;
constexpr size_t kThreadStackBytes = 256 * 1024;
// A thread done with its injection waits this long for the next connection
// (at most kIdleThreads of them wait): no thread to create per message.
constexpr size_t kIdleThreads = 64;
constexpr auto kIdleWait = std::chrono::seconds(60);
constexpr mode_t kIntakeDirMode = 0755;
constexpr mode_t kSocketMode = 0666;

void Log(const std::string& line) {
  std::string out = "yubin-intake: ";
  for (char c : line) out.push_back(c == '\n' ? '/' : c);
  out.push_back('\n');
  (void)WriteAll(2, out);
}

time_t MonotonicSeconds() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec;
}

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

class Server {
 public:
  explicit Server(const IntakeOptions& o)
      : opt_(o),
        root_(Absolute(o.root)),
        queue_dir_(QueueDir(root_)),
        group_([this] { return SyncFileSystem(queue_dir_); }) {
    // Every running injection will ask for a sync soon (two, in fact):
    // give them a moment to share the next one (group_sync.h).
    group_.SetGathering([this] { return active_.load(); }, kIntakeGatherWait);
  }

  int Run();
  // One connection, in its own thread.
  void Serve(int client);
  // For a thread whose injection is done: waits (bounded) for another
  // connection to serve. False: the thread is to end.
  bool NextClient(int* client);

 private:
  Status Listen();
  void Accept();
  void Finished();
  std::string Handle(int client);
  // Per-uid accounting: false when uid already runs max_per_uid.
  bool CountIn(uid_t uid);
  void CountOut(uid_t uid);

  const IntakeOptions opt_;
  const std::string root_;
  const std::string queue_dir_;
  GroupSync group_;
  SpareTaker spares_{queue_dir_};
  TriggerWriter trigger_{queue_dir_};
  UniqueFd listener_;
  UniqueFd wake_read_, wake_write_;  // a finished thread writes a byte
  supervise::SelfPipe signals_;
  std::atomic<size_t> active_{0};
  // The main loop waits for an injection to end (at the limit, or
  // terminating): Finished wakes it (and after a failed sync).
  std::atomic<bool> wake_wanted_{false};
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::deque<int> pool_work_;  // connections accepted for idle threads
  size_t idle_ = 0;            // threads waiting in NextClient
  std::atomic<uint64_t> injections_{0}, threads_started_{0};
  std::mutex per_uid_mu_;
  std::map<uid_t, size_t> per_uid_;  // running injections of each uid
};

struct ThreadStart {
  Server* server;
  int client;
};

void* ThreadMain(void* arg) {
  ThreadStart start = *static_cast<ThreadStart*>(arg);
  delete static_cast<ThreadStart*>(arg);
  int client = start.client;
  do {
    start.server->Serve(client);
  } while (start.server->NextClient(&client));
  return nullptr;
}

bool Server::NextClient(int* client) {
  std::unique_lock<std::mutex> lock(pool_mu_);
  if (idle_ >= kIdleThreads) return false;
  ++idle_;
  const bool got = pool_cv_.wait_for(lock, kIdleWait, [this] { return !pool_work_.empty(); });
  --idle_;
  if (!got) return false;
  *client = pool_work_.front();
  pool_work_.pop_front();
  return true;
}

Status Server::Listen() {
  const std::string dir = IntakeDir(root_);
  if (mkdir(dir.c_str(), kIntakeDirMode) != 0 && errno != EEXIST) {
    return Status::FromErrno("mkdir " + dir + " (run yubin-mkroot for this root)", errno);
  }
  // Bound by a relative name: the socket path's length is limited.
  if (chdir(dir.c_str()) != 0) return Status::FromErrno("chdir " + dir, errno);
  return ListenHere("intake.sock", {.mode = kSocketMode, .backlog = kListenBacklog}, &listener_)
      .Wrap(dir);
}

void Server::Accept() {
  int client = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  ++active_;
  ++injections_;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_ > pool_work_.size()) {  // a waiting thread takes it
      pool_work_.push_back(client);
      pool_cv_.notify_one();
      return;
    }
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kThreadStackBytes);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  auto* start = new (std::nothrow) ThreadStart{this, client};
  pthread_t thread;
  int rc = start == nullptr ? ENOMEM : pthread_create(&thread, &attr, ThreadMain, start);
  pthread_attr_destroy(&attr);
  if (rc == 0) ++threads_started_;
  if (rc != 0) {
    --active_;
    delete start;
    Log("warning: cannot start a thread: " + std::string(strerror(rc)));
    close(client);  // the client sees no answer: a temporary failure
  }
}

void Server::Finished() {
  --active_;
  // The main loop sleeps while it accepts; it must see a failed sync now,
  // not at the next connection.
  if (!wake_wanted_.load() && !group_.failed()) return;
  const char byte = 0;
  (void)!write(wake_write_.get(), &byte, 1);
}

void Server::Serve(int client_fd) {
  UniqueFd client(client_fd);
  const std::string reply = Handle(client.get());
  (void)!send(client.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
  client.reset();
  Finished();
}

// The injection of one connection; returns the answer line.
std::string Server::Handle(int client) {
  struct ucred cred = {};
  socklen_t len = sizeof cred;
  const struct timeval wait = {kIntakeRequestSeconds, 0};
  UniqueFd message, envelope;
  Status got = getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0
                   ? Status::Ok()
                   : Status::FromErrno("SO_PEERCRED", errno);
  if (got.ok() && setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait) != 0) {
    got = Status::FromErrno("SO_RCVTIMEO", errno);
  }
  if (got.ok()) got = ReceiveInjectionFds(client, &message, &envelope);
  const std::string who = "pid " + std::to_string(cred.pid) + " uid " + std::to_string(cred.uid);
  if (!got.ok()) {
    Log("warning: " + who + ": " + got.message());
    return FormatIntakeReply(kQueueInternalBug, "bad request");
  }
  if (!CountIn(cred.uid)) {
    const std::string why = "too many injections from uid " + std::to_string(cred.uid) +
                            " at once (at most " + std::to_string(opt_.max_per_uid) + ")";
    Log("warning: " + who + ": " + why);
    return FormatIntakeReply(kQueueNoMemory, why);
  }
  const time_t now = time(nullptr);
  EnqueueRequest request{
      .queue_dir = queue_dir_,
      .received_line = FormatReceivedLine(cred.pid, cred.uid, now),
      .uid = cred.uid,
      .pid = cred.pid,
      .birth = static_cast<int64_t>(now),
      .crash_before_step = opt_.crash_before_step,
      .sync = [this] { return group_.Sync(); },
      .take_spare = [this](const std::string& target) { return spares_.Take(target); },
      .poke = [this](MessageId id) { (void)trigger_.PokeFor(id); },
      .read_deadline = MonotonicSeconds() + opt_.timeout_seconds,
  };
  EnqueueResult result = Enqueue(message.get(), envelope.get(), request);
  CountOut(cred.uid);
  if (result.exit_code != kQueueOk) {
    Log("warning: " + who + ": exit " + std::to_string(result.exit_code) + ": " + result.error);
    return FormatIntakeReply(result.exit_code, result.error);
  }
  return FormatIntakeReply(kQueueOk, std::to_string(result.id));
}

bool Server::CountIn(uid_t uid) {
  std::lock_guard<std::mutex> lock(per_uid_mu_);
  size_t& running = per_uid_[uid];
  if (running >= opt_.max_per_uid) return false;
  ++running;
  return true;
}

void Server::CountOut(uid_t uid) {
  std::lock_guard<std::mutex> lock(per_uid_mu_);
  if (--per_uid_[uid] == 0) per_uid_.erase(uid);
}

int Server::Run() {
  signal(SIGPIPE, SIG_IGN);
  Status s = signals_.Install({SIGTERM});
  if (s.ok()) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      s = Status::FromErrno("pipe", errno);
    } else {
      wake_read_ = UniqueFd(fds[0]);
      wake_write_ = UniqueFd(fds[1]);
    }
  }
  struct stat st;
  if (s.ok() && (stat(queue_dir_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
    s = Status::FromErrno("queue directory " + queue_dir_, errno == 0 ? ENOTDIR : errno);
  }
  if (s.ok()) s = Listen();
  if (!s.ok()) {
    Log("alert: " + s.message());
    return 111;
  }
  Log("status: listening on " + IntakeSocketPath(root_));
  if (opt_.ready_fd >= 0) {
    (void)WriteAll(opt_.ready_fd, "\n");
    close(opt_.ready_fd);
  }
  bool terminating = false;
  int code = 0;
  time_t deadline = 0;
  for (;;) {
    if (!terminating && group_.failed()) {
      Log("alert: a sync of the queue failed; answering the running injections, then "
          "exiting to be restarted");
      terminating = true;
      code = 111;
      deadline = MonotonicSeconds() + kIntakeTermWaitSeconds;
      listener_.reset();
      unlink("intake.sock");
    }
    if (terminating && active_ == 0) {
      Log("status: exiting; " + std::to_string(injections_.load()) + " connections served by " +
          std::to_string(threads_started_.load()) + " threads, " +
          std::to_string(group_.syncs_run()) + " syncs of the queue");
      return code;
    }
    if (terminating && MonotonicSeconds() >= deadline) {
      Log("status: exiting with " + std::to_string(active_.load()) + " injections running");
      _exit(code);  // detached threads must not see static destructors
    }
    bool accepting = !terminating && active_ < opt_.max_injections;
    // Set before active_ is read again: an injection ending in between
    // either sees the flag or is seen here.
    wake_wanted_.store(!accepting);
    if (!accepting && !terminating && active_ < opt_.max_injections) accepting = true;
    struct pollfd fds[3] = {{signals_.fd(), POLLIN, 0},
                            {wake_read_.get(), POLLIN, 0},
                            {accepting ? listener_.get() : -1, POLLIN, 0}};
    const int timeout = terminating ? 1000 : -1;
    if (poll(fds, 3, timeout) < 0 && errno != EINTR) {
      Log(std::string("alert: poll: ") + strerror(errno));
      _exit(111);
    }
    if ((fds[0].revents & POLLIN) != 0) {
      while (int sig = signals_.Next()) {
        if (sig != SIGTERM || terminating) continue;
        terminating = true;
        deadline = MonotonicSeconds() + kIntakeTermWaitSeconds;
        listener_.reset();
        unlink("intake.sock");
        Log("status: SIGTERM: waiting for " + std::to_string(active_.load()) + " injections");
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      char buf[256];
      while (read(wake_read_.get(), buf, sizeof buf) > 0) {
      }
    }
    if ((fds[2].revents & POLLIN) != 0) Accept();
  }
}

}  // namespace

int RunIntakeServer(const IntakeOptions& options) {
  auto* server = new Server(options);  // never freed: threads may outlive Run
  return server->Run();
}

}  // namespace yubin::queue
