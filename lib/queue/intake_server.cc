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
#include <climits>
#include <cstring>
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
// The service's threads wait in accept(2) themselves (see AcceptLoop): at
// most kIdleThreads of them, each for at most kIdleWaitSeconds, and the
// last one waiting stays: no thread to create per message.
constexpr size_t kIdleThreads = 64;
constexpr time_t kIdleWaitSeconds = 60;
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
  // A thread's life: accepts a connection, serves it, and again, until it
  // is not needed any more (see the constants above) or the service stops.
  void AcceptLoop();

 private:
  Status Listen();
  // Starts a thread running AcceptLoop, counted as waiting from the start;
  // false (logged) when it cannot. Called with mu_ held.
  bool StartThread();
  // Stops the waiting threads and any more accepting: shutdown(2) of the
  // listener wakes each accept(2) with EINVAL. Main thread only.
  void StopAccepting();
  // One connection, in the thread that accepted it.
  void Serve(int client);
  void Finished();
  void Wake();  // the main loop
  // After StopAccepting: no thread waits in accept(2) any more (one that
  // just took a connection has counted it in active_), and no injection
  // runs.
  bool Drained();
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
  // Once terminating, the main loop waits for the running injections to
  // end: Finished wakes it (and after a failed sync).
  std::atomic<bool> wake_wanted_{false};
  std::mutex mu_;
  size_t threads_ = 0;     // running AcceptLoop
  size_t idle_ = 0;        // of them, waiting in accept(2)
  bool stopping_ = false;  // set (with mu_) before StopAccepting
  std::atomic<uint64_t> injections_{0}, threads_started_{0};
  std::mutex per_uid_mu_;
  std::map<uid_t, size_t> per_uid_;  // running injections of each uid
};

void* ThreadMain(void* arg) {
  static_cast<Server*>(arg)->AcceptLoop();
  return nullptr;
}

// Each waiting thread sits in accept(2) on the listener, and the kernel
// hands a connection to one of them: no thread in between to wake. The
// thread that takes the last waiting place starts another first, so a
// connection never waits for a thread to be created, while at most
// max_injections threads exist: with all of them busy, connections wait
// in the listen queue.
void Server::AcceptLoop() {
  for (;;) {
    int client = accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    const int accept_errno = errno;
    std::unique_lock<std::mutex> lock(mu_);
    if (client < 0) {
      const bool timed_out = accept_errno == EAGAIN || accept_errno == EWOULDBLOCK;
      const bool retry = accept_errno == EINTR || accept_errno == ECONNABORTED;
      if (stopping_ || (timed_out && idle_ > 1)) {
        --threads_;
        // The last one out lets the main loop close the listener.
        if (--idle_ == 0 && stopping_) Wake();
        return;
      }
      if (!timed_out && !retry) {
        // EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection stays queued;
        // try again in a moment rather than spin.
        lock.unlock();
        Log(std::string("warning: accept: ") + strerror(accept_errno));
        (void)poll(nullptr, 0, 100);
      }
      continue;
    }
    --idle_;
    ++active_;
    ++injections_;
    if (idle_ == 0 && threads_ < opt_.max_injections && !stopping_) (void)StartThread();
    lock.unlock();
    Serve(client);
    lock.lock();
    if (stopping_ || idle_ >= kIdleThreads) {
      --threads_;
      return;
    }
    ++idle_;
  }
}

bool Server::StartThread() {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kThreadStackBytes);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int rc = pthread_create(&thread, &attr, ThreadMain, this);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    Log("warning: cannot start a thread: " + std::string(strerror(rc)));
    return false;
  }
  ++threads_;
  ++idle_;
  ++threads_started_;
  return true;
}

void Server::StopAccepting() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (listener_.valid()) (void)shutdown(listener_.get(), SHUT_RDWR);
  unlink("intake.sock");
}

Status Server::Listen() {
  const std::string dir = IntakeDir(root_);
  if (mkdir(dir.c_str(), kIntakeDirMode) != 0 && errno != EEXIST) {
    return Status::FromErrno("mkdir " + dir + " (run yubin-mkroot for this root)", errno);
  }
  // Bound by a relative name: the socket path's length is limited.
  if (chdir(dir.c_str()) != 0) return Status::FromErrno("chdir " + dir, errno);
  Status s =
      ListenHere("intake.sock", {.mode = kSocketMode, .backlog = kListenBacklog}, &listener_);
  if (!s.ok()) return s.Wrap(dir);
  // The threads wait in accept(2): blocking, and for kIdleWaitSeconds at most.
  const struct timeval idle = {kIdleWaitSeconds, 0};
  if (Status blocking = SetNonBlocking(listener_.get(), false); !blocking.ok()) {
    return blocking.Wrap(dir);
  }
  if (setsockopt(listener_.get(), SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle) != 0) {
    return Status::FromErrno("SO_RCVTIMEO", errno).Wrap(dir);
  }
  return Status::Ok();
}

void Server::Finished() {
  --active_;
  // The main loop sleeps; it must see a failed sync now, not at the next
  // signal.
  if (!wake_wanted_.load() && !group_.failed()) return;
  Wake();
}

bool Server::Drained() {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_ == 0 && active_ == 0;
}

void Server::Wake() {
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!StartThread()) {
      Log("alert: no thread to accept connections");
      return 111;
    }
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
      wake_wanted_.store(true);
      StopAccepting();
    }
    if (terminating && Drained()) {
      Log("status: exiting; " + std::to_string(injections_.load()) + " connections served by " +
          std::to_string(threads_started_.load()) + " threads, " +
          std::to_string(group_.syncs_run()) + " syncs of the queue");
      return code;
    }
    if (terminating && MonotonicSeconds() >= deadline) {
      Log("status: exiting with " + std::to_string(active_.load()) + " injections running");
      _exit(code);  // detached threads must not see static destructors
    }
    struct pollfd fds[2] = {{signals_.fd(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    const int timeout = terminating ? 1000 : -1;
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
      Log(std::string("alert: poll: ") + strerror(errno));
      _exit(111);
    }
    if ((fds[0].revents & POLLIN) != 0) {
      while (int sig = signals_.Next()) {
        if (sig != SIGTERM || terminating) continue;
        terminating = true;
        deadline = MonotonicSeconds() + kIntakeTermWaitSeconds;
        wake_wanted_.store(true);
        StopAccepting();
        Log("status: SIGTERM: waiting for " + std::to_string(active_.load()) + " injections");
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      char buf[256];
      while (read(wake_read_.get(), buf, sizeof buf) > 0) {
      }
    }
    if (terminating && listener_.valid()) {
      // Once no thread waits in accept(2) any more (none starts to after
      // StopAccepting), closing the listener is safe, and it turns the
      // connections still queued away at once: their clients see a
      // temporary failure now rather than when we exit.
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_ == 0) listener_.reset();
    }
  }
}

}  // namespace

int RunIntakeServer(const IntakeOptions& options) {
  auto* server = new Server(options);  // never freed: threads may outlive Run
  return server->Run();
}

}  // namespace yubin::queue
