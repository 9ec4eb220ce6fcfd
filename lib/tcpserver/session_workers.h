// session_workers.h: tcpserver -m N: processes that run the linked-in
// program (yubin-smtpd) for up to N connections, one after another, instead
// of one forked process per connection.
//
//   WorkerPool pool(options.max_uses);
//   if (std::optional<pid_t> pid = pool.HandOff(fd, payload, ip)) ...
//   // else fork a new worker:
//   UniqueFd child_end;
//   Result<UniqueFd> parent_end = pool.NewChannel(&child_end);
//   pid_t pid = fork();
//   // child: connection on 0 and 1, then
//   //   ServeConnections(child_end.get(), serve, payload);   // never returns
//   // parent: pool.Started(pid, std::move(*parent_end), ip);
//
// The parent keeps a channel (a SOCK_SEQPACKET socket pair) to each worker.
// It passes an accepted connection to an idle worker as one message: a
// payload (tcpserver's: the program's environment, or the client's address
// for a worker that looks names up itself) with the socket as SCM_RIGHTS.
// The worker puts the socket on descriptors 0 and 1, serves it and answers
// with the exit status (four bytes): the connection's end, which the
// parent logs as it logs a child's exit. After
// N connections the parent closes the channel and the worker exits at end
// of file; so does an idle worker after kIdleLimit, and every worker when
// the parent exits. A worker that dies during a connection is reaped as
// any child is, and its connection ends with that status.
//
// Between connections a worker closes every descriptor but 0, 1, 2 and
// the channel, makes 0 and 1 /dev/null, goes back to its own environ and
// zeroes the stack the program used; freed heap blocks of over 1 KB (the
// message text's buffers) are overwritten when freed (M_PERTURB; smaller
// ones go to glibc's per-thread cache untouched). What it cannot undo is
// a memory corruption: a client that could take over the program would
// keep it for the worker's later connections. -m 1 (the default) keeps
// one fresh process per connection.
#ifndef YUBIN_LIB_TCPSERVER_SESSION_WORKERS_H_
#define YUBIN_LIB_TCPSERVER_SESSION_WORKERS_H_

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::tcpserver {

// The largest payload passed to a worker with a connection; a connection
// with a larger one gets a fresh process.
inline constexpr size_t kMaxWorkerPayload = 64 * 1024;
// An idle worker ends after this long without a connection.
inline constexpr std::chrono::seconds kIdleLimit{60};

// "NAME=value\0" for each entry of a null-terminated environment.
std::string EnvironmentBlock(char* const* envp);

// What a worker runs for each connection, with the connection on 0 and 1:
// the payload is what the parent passed with it (HandOff). Returns the
// connection's exit status.
using ServeFunction = std::function<int(std::string_view payload)>;

// The forked worker, with its first connection on 0 and 1: serves it with
// first, then each connection the channel brings. Exits 0 at end of file
// on the channel.
[[noreturn]] void ServeConnections(int channel, const ServeFunction& serve,
                                   std::string_view first);

// Splits an EnvironmentBlock into *env (pointers into block, then null).
// False when it is not one.
bool SplitEnvironmentBlock(std::string_view block, std::vector<char*>* env);

class WorkerPool {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkerPool(unsigned max_uses) : max_uses_(max_uses) {}

  // True when workers serve more than one connection each (-m > 1).
  bool enabled() const { return max_uses_ > 1; }
  // Workers serving a connection now.
  size_t busy() const;

  // Passes the connection fd and the payload for its ServeFunction to the
  // idle worker that finished last. Returns its pid, or nullopt when no
  // idle worker took it (none is idle, or the payload is too big); a
  // worker whose channel fails is closed and the next one is tried.
  std::optional<pid_t> HandOff(int fd, std::string_view payload, const std::string& ip);

  // A channel for a worker about to be forked: returns the parent's end and
  // puts the worker's in *child_end.
  Result<UniqueFd> NewChannel(UniqueFd* child_end);
  // The forked worker's pid, serving its first connection (from ip).
  void Started(pid_t pid, UniqueFd channel, const std::string& ip);

  // Appends a pollfd for each busy worker's channel.
  void AppendPollFds(std::vector<pollfd>* fds) const;

  struct Finished {
    pid_t pid;
    int status;  // the program's exit status
    std::string ip;
  };
  // Reads the reports of the channels that poll found ready in
  // fds[first...] (as AppendPollFds appended them).
  std::vector<Finished> Collect(const std::vector<pollfd>& fds, size_t first);

  // After waitpid(2) reaped pid: the address of the connection it was
  // serving when it died, or nullopt (idle, retired or not a worker).
  std::optional<std::string> Exited(pid_t pid);
  // Closes the idle workers' channels (they exit): the program changed.
  void CloseIdle();
  // Closes the channels of workers idle since before now - kIdleLimit.
  // Returns the milliseconds until the next one is due, or -1 for none.
  int RetireIdle(Clock::time_point now);

 private:
  struct Worker {
    pid_t pid;
    UniqueFd channel;  // invalid once closed: the worker is on its way out
    bool busy;
    unsigned uses;
    std::string ip;
    Clock::time_point idle_since;
  };
  void Close(Worker& w);

  unsigned max_uses_;
  std::vector<Worker> workers_;
};

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_SESSION_WORKERS_H_
