#include "lib/tcpserver/session_workers.h"

#include <fcntl.h>
#include <malloc.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "lib/queue/passed_fds.h"

extern char** environ;

namespace yubin::tcpserver {
namespace {

// The first byte of a hand-off, so that no hand-off is a zero-length
// message (which recvmsg(2) could not tell from end of file).
constexpr char kConnectionTag = 'c';
// Freed heap bytes are set to this (M_PERTURB): those of blocks freed to
// the heap's bins, which is every block of over 1 KB; glibc's per-thread
// cache of small blocks skips it.
constexpr int kPerturbByte = 0xa5;
// How much stack below the worker loop is zeroed after each connection:
// more than a yubin-smtpd session uses (its 16 KB input buffer is there).
constexpr size_t kStackWipeBytes = 64 * 1024;

char g_received[1 + kMaxWorkerPayload];

bool SendConnection(int channel, int fd, std::string_view payload) {
  char tag = kConnectionTag;
  iovec iov[2] = {{&tag, 1}, {const_cast<char*>(payload.data()), payload.size()}};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg = {};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  for (;;) {
    ssize_t n = sendmsg(channel, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<size_t>(n) == 1 + payload.size();
    if (errno != EINTR) return false;
  }
}

// Closes every descriptor but 0, 1, 2 and keep.
void CloseOtherDescriptors(int keep) {
  if (keep > 3) close_range(3, static_cast<unsigned>(keep) - 1, 0);
  close_range(static_cast<unsigned>(keep) + 1, ~0U, 0);
}

[[gnu::noinline]] void WipeStack() {
  char area[kStackWipeBytes];
  explicit_bzero(area, sizeof area);
}

// The end of a connection in the worker: the socket closed, nothing of the
// connection left open or on the stack, and environ the worker's own again.
void EndConnection(int channel, char** own_environment) {
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    if (null_fd > 1) close(null_fd);
  } else {
    close(0);
    close(1);
  }
  CloseOtherDescriptors(channel);
  environ = own_environment;
  WipeStack();
}

// Waits for the next connection: puts it on 0 and 1 and its payload in
// *payload. False at end of file (or a broken channel): the worker ends.
bool ReceiveConnection(int channel, std::string_view* payload) {
  iovec iov = {g_received, sizeof g_received};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  std::vector<UniqueFd> fds = queue::PassedFds(msg);
  if (fds.size() != 1 || g_received[0] != kConnectionTag ||
      (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)
    return false;  // not what the parent sends: stop rather than guess
  if (dup2(fds[0].get(), 0) < 0 || dup2(fds[0].get(), 1) < 0) return false;
  *payload = std::string_view(g_received + 1, static_cast<size_t>(n) - 1);
  return true;
}

}  // namespace

std::string EnvironmentBlock(char* const* envp) {
  std::string block;
  for (char* const* e = envp; *e != nullptr; ++e) {
    block += *e;
    block += '\0';
  }
  return block;
}

bool SplitEnvironmentBlock(std::string_view block, std::vector<char*>* env) {
  env->clear();
  if (!block.empty() && block.back() != '\0') return false;
  char* p = const_cast<char*>(block.data());
  char* const end = p + block.size();
  while (p < end) {
    env->push_back(p);
    p += strlen(p) + 1;
  }
  env->push_back(nullptr);
  return true;
}

void ServeConnections(int channel, const ServeFunction& serve, std::string_view first) {
  mallopt(M_PERTURB, kPerturbByte);
  CloseOtherDescriptors(channel);
  char** const own_environment = environ;  // tcpserver's, as in a one-off child
  int status = serve(first);
  for (;;) {
    EndConnection(channel, own_environment);
    // A parent that is gone is seen as end of file below.
    (void)send(channel, &status, sizeof status, MSG_NOSIGNAL);
    std::string_view payload;
    if (!ReceiveConnection(channel, &payload)) _exit(0);
    status = serve(payload);
  }
}

size_t WorkerPool::busy() const {
  return static_cast<size_t>(std::count_if(workers_.begin(), workers_.end(),
                                           [](const Worker& w) { return w.busy; }));
}

std::optional<pid_t> WorkerPool::HandOff(int fd, std::string_view payload,
                                         const std::string& ip) {
  if (payload.size() > kMaxWorkerPayload) return std::nullopt;
  for (;;) {
    Worker* pick = nullptr;
    for (Worker& w : workers_) {
      if (w.busy || !w.channel.valid()) continue;
      if (pick == nullptr || w.idle_since > pick->idle_since) pick = &w;
    }
    if (pick == nullptr) return std::nullopt;
    if (SendConnection(pick->channel.get(), fd, payload)) {
      pick->busy = true;
      pick->ip = ip;
      return pick->pid;
    }
    Close(*pick);
  }
}

Result<UniqueFd> WorkerPool::NewChannel(UniqueFd* child_end) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return Status::FromErrno("unable to create a worker channel", errno);
  child_end->reset(sv[1]);
  return UniqueFd(sv[0]);
}

void WorkerPool::Started(pid_t pid, UniqueFd channel, const std::string& ip) {
  workers_.push_back(Worker{pid, std::move(channel), true, 0, ip, Clock::now()});
}

void WorkerPool::AppendPollFds(std::vector<pollfd>* fds) const {
  for (const Worker& w : workers_) {
    if (w.busy && w.channel.valid()) fds->push_back({w.channel.get(), POLLIN, 0});
  }
}

std::vector<WorkerPool::Finished> WorkerPool::Collect(const std::vector<pollfd>& fds,
                                                      size_t first) {
  std::vector<Finished> done;
  const Clock::time_point now = Clock::now();
  for (size_t i = first; i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    auto it = std::find_if(workers_.begin(), workers_.end(), [&](const Worker& w) {
      return w.busy && w.channel.get() == fds[i].fd;
    });
    if (it == workers_.end()) continue;
    int status = 0;
    ssize_t n = recv(fds[i].fd, &status, sizeof status, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n != static_cast<ssize_t>(sizeof status)) {
      // The worker died during the connection: its exit, when reaped,
      // ends it (Exited).
      it->channel.reset();
      continue;
    }
    it->busy = false;
    it->idle_since = now;
    done.push_back({it->pid, status, std::move(it->ip)});
    it->ip.clear();
    if (++it->uses >= max_uses_) Close(*it);
  }
  return done;
}

std::optional<std::string> WorkerPool::Exited(pid_t pid) {
  auto it = std::find_if(workers_.begin(), workers_.end(),
                         [pid](const Worker& w) { return w.pid == pid; });
  if (it == workers_.end()) return std::nullopt;
  std::optional<std::string> ip;
  if (it->busy) ip = std::move(it->ip);
  workers_.erase(it);
  return ip;
}

void WorkerPool::CloseIdle() {
  for (Worker& w : workers_) {
    if (!w.busy) Close(w);
  }
}

int WorkerPool::RetireIdle(Clock::time_point now) {
  std::optional<Clock::duration> next;
  for (Worker& w : workers_) {
    if (w.busy || !w.channel.valid()) continue;
    const Clock::time_point due = w.idle_since + kIdleLimit;
    if (due <= now) {
      Close(w);
      continue;
    }
    if (!next || due - now < *next) next = due - now;
  }
  if (!next) return -1;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*next).count());
}

void WorkerPool::Close(Worker& w) { w.channel.reset(); }

}  // namespace yubin::tcpserver
