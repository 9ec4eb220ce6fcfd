// queue_control.cc: see queue_control.h.
#include "lib/queue/queue_control.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/queue/hold_mark.h"
#include "lib/queue/layout.h"
#include "lib/queue/message_state.h"
#include "lib/queue/trigger.h"

namespace yubin::queue {
namespace {

void Say(int fd, const std::string& line) { (void)WriteAll(fd, line + "\n"); }
void Complain(const std::string& line) {
  (void)WriteAll(2, "yubin-queuectl: " + line + "\n");
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Queued: the content and either the committed envelope or the manager's
// info file (an injection in progress is not a queued message).
bool Queued(const std::string& q, MessageId id) {
  return Exists(MessagePath(q, QueueArea::kMess, id)) &&
         (Exists(MessagePath(q, QueueArea::kTodo, id)) ||
          Exists(MessagePath(q, QueueArea::kInfo, id)));
}

class Control {
 public:
  Control(std::string root, int out) : q_(QueueDir(root)), root_(std::move(root)), out_(out) {}
  int Run(const std::vector<std::string>& args);

 private:
  void Temporary(const std::string& what) {
    Complain(what);
    temporary_ = true;
  }
  // Gives a file made as root to the queue's owner.
  void GiveToOwner(const std::string& path) {
    if (geteuid() == 0 && owner_ != 0 && chown(path.c_str(), owner_, group_) != 0) {
      Temporary("cannot chown " + path + ": " + strerror(errno));
    }
  }
  bool WriteOwnedMark(MessageId id, Mark mark);
  void Hold(MessageId id, Mark mark);
  void Release(MessageId id);
  void DeleteNow(MessageId id);
  void Requeue(MessageId id, time_t now);
  std::optional<UniqueFd> TryManagerLock();

  std::string q_, root_;
  int out_;
  uid_t owner_ = 0;
  gid_t group_ = 0;
  bool temporary_ = false, not_queued_ = false;
};

bool Control::WriteOwnedMark(MessageId id, Mark mark) {
  Status s = WriteMark(q_, id, mark);
  if (!s.ok()) {
    Temporary(std::to_string(id) + ": " + s.message());
    return false;
  }
  GiveToOwner(HoldDir(q_));
  GiveToOwner(HoldPath(q_, id));
  return true;
}

void Control::Hold(MessageId id, Mark mark) {
  if (!WriteOwnedMark(id, mark)) return;
  // The message may have finished while we wrote: then the mark must not
  // stay behind for a later message that gets the same id.
  if (!Queued(q_, id)) {
    (void)RemoveMark(q_, id);
    Complain(std::to_string(id) + ": not in the queue (any more)");
    not_queued_ = true;
    return;
  }
  Say(out_, std::to_string(id) + (mark == Mark::kHold
                                      ? ": held"
                                      : ": to be deleted by yubin-send (held until then)"));
}

void Control::Release(MessageId id) {
  Result<Mark> m = ReadMark(q_, id);
  if (!m.ok()) return Temporary(std::to_string(id) + ": " + m.status().message());
  if (*m == Mark::kDelete) {
    // Too late to take back: the manager may be removing it already.
    Complain(std::to_string(id) + ": a deletion was requested; not released");
    not_queued_ = true;
    return;
  }
  Status s = RemoveMark(q_, id);
  if (!s.ok()) return Temporary(std::to_string(id) + ": " + s.message());
  Say(out_, std::to_string(id) + (*m == Mark::kNone ? ": was not held" : ": released"));
}

void Control::DeleteNow(MessageId id) {
  Status s = RemoveMessage(q_, id);
  if (!s.ok()) return Temporary(std::to_string(id) + ": " + s.message());
  Say(out_, std::to_string(id) + ": deleted");
}

void Control::Requeue(MessageId id, time_t now) {
  bool any = false;
  for (QueueArea a : {QueueArea::kLocal, QueueArea::kRemote}) {
    if (!Exists(MessagePath(q_, a, id))) continue;
    Status s = SetNextAttempt(q_, a, id, now);
    if (!s.ok() && s.error_number() != ENOENT) {
      return Temporary(std::to_string(id) + ": " + s.message());
    }
    any = true;
  }
  Say(out_, std::to_string(id) + (any ? ": due now" : ": not yet preprocessed; due at once"));
}

// The manager's lock, taken without waiting; nullopt when yubin-send runs.
std::optional<UniqueFd> Control::TryManagerLock() {
  std::string path = SendMutexPath(q_);
  UniqueFd fd(OpenRetry(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kQueueFileMode));
  if (!fd.valid()) {
    Temporary("cannot open " + path + ": " + strerror(errno));
    return std::nullopt;
  }
  GiveToOwner(path);
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return std::nullopt;
  return fd;
}

int Control::Run(const std::vector<std::string>& args) {
  if (args.size() < 2) {
    Complain(std::string("usage: ") + kQueueCtlUsage);
    return 100;
  }
  const std::string& cmd = args[0];
  if (cmd != "hold" && cmd != "release" && cmd != "delete" && cmd != "requeue") {
    Complain("unknown command " + cmd + "; usage: " + kQueueCtlUsage);
    return 100;
  }
  bool all = cmd == "requeue" && args.size() == 2 && args[1] == "ALL";
  std::vector<MessageId> ids;
  for (size_t i = 1; i < args.size() && !all; ++i) {
    std::optional<MessageId> id = ParseMessageId(args[i]);
    if (!id) {
      Complain("not a message id: " + args[i] + "; usage: " + kQueueCtlUsage);
      return 100;
    }
    ids.push_back(*id);
  }
  struct stat st;
  if (stat(q_.c_str(), &st) != 0) {
    int err = errno;
    Complain("cannot stat " + q_ + ": " + strerror(err) +
             (err == EACCES ? "; must run as the owner of the queue or as root" : ""));
    return err == EACCES ? 100 : 111;
  }
  owner_ = st.st_uid;
  group_ = st.st_gid;
  if (geteuid() != 0 && geteuid() != owner_) {
    Complain("must run as the owner of " + q_ + " (uid " + std::to_string(owner_) +
             ") or as root; this is uid " + std::to_string(geteuid()));
    return 100;
  }
  Status layout = CheckQueueLayout(q_);
  if (!layout.ok()) {
    Complain(layout.message());
    return 111;
  }
  if (all) {
    Status s = ForEachMessage(q_, QueueArea::kInfo, [&](MessageId id) { ids.push_back(id); });
    if (!s.ok()) {
      Complain(s.message());
      return 111;
    }
  }
  std::optional<UniqueFd> lock;
  if (cmd == "delete") lock = TryManagerLock();
  time_t now = time(nullptr);
  for (MessageId id : ids) {
    if (!Queued(q_, id)) {
      if (!all) {
        Complain(std::to_string(id) + ": not in the queue");
        not_queued_ = true;
      }
      continue;
    }
    if (cmd == "hold") {
      Hold(id, Mark::kHold);
    } else if (cmd == "release") {
      Release(id);
    } else if (cmd == "delete") {
      if (lock) {
        DeleteNow(id);
      } else {
        Hold(id, Mark::kDelete);
      }
    } else {
      Requeue(id, now);
    }
  }
  lock.reset();
  PokeTriggerControl(q_);
  if (all) {
    // Under supervision also SIGALRM (svc -a): reconnects the delivery
    // services at once as well. No supervise running: ENXIO, fine.
    std::string control = root_ + "/service/send/supervise/control";
    UniqueFd fd(OpenRetry(control.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.valid()) (void)WriteRetry(fd.get(), "a", 1);
    Say(out_, "requeued " + std::to_string(ids.size()) + " messages");
  }
  if (temporary_) return 111;
  return not_queued_ ? 100 : 0;
}

}  // namespace

int RunQueueCtl(const std::string& root, const std::vector<std::string>& args,
                int out_fd) {
  Control c(root, out_fd);
  return c.Run(args);
}

}  // namespace yubin::queue
