#include "lib/smtp/server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "lib/base/fatal.h"
#include "lib/base/fd.h"
#include "lib/base/yubin_root.h"
#include "lib/control/control_file.h"
#include "lib/control/smtpd_control.h"
#include "lib/queue/queue_client.h"
#include "lib/users/user_lookup.h"
#include "lib/smtp/data_decoder.h"
#include "lib/smtp/session.h"

namespace yubin::smtp {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void Log(const std::string& what) {
  (void)WriteAll(2, std::string(ProgramName()) + ": " + what + "\n");
}

// The connection: a fixed input buffer and pending replies, every wait
// bounded by the session timeout.
class Connection {
 public:
  Connection(int in_fd, int out_fd, int timeout_ms)
      : in_(in_fd), out_(out_fd), timeout_ms_(timeout_ms) {}

  enum class Wait { kReady, kTimeout, kEof, kError };

  std::string_view buffered() const {
    return std::string_view(buf_ + start_, end_ - start_);
  }
  void Consume(size_t n) { start_ += n; }
  // Waits for and reads more input, keeping what is buffered.
  Wait Fill() {
    if (start_ > 0) {
      std::memmove(buf_, buf_ + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    }
    if (end_ == sizeof buf_) return Wait::kReady;  // caller must consume
    for (;;) {
      if (!Flush()) return Wait::kError;
      struct pollfd p = {in_, POLLIN, 0};
      int r = poll(&p, 1, timeout_ms_);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Wait::kError;
      }
      if (r == 0) return Wait::kTimeout;
      ssize_t n = ReadRetry(in_, buf_ + end_, sizeof buf_ - end_);
      if (n < 0) {
        if (errno == EAGAIN) continue;
        return Wait::kError;
      }
      if (n == 0) return Wait::kEof;
      end_ += static_cast<size_t>(n);
      return Wait::kReady;
    }
  }
  enum class Line { kLine, kTooLong, kTimeout, kGone };
  // The next command line (without its '\n'). A line over
  // kMaxCommandLineBytes is read to its end and dropped: kTooLong.
  Line NextLine(std::string* line) {
    bool too_long = false;
    for (;;) {
      std::string_view in = buffered();
      size_t nl = in.find('\n');
      if (nl != std::string_view::npos) {
        if (!too_long) line->assign(in.substr(0, nl));
        Consume(nl + 1);
        return too_long ? Line::kTooLong : Line::kLine;
      }
      if (too_long || in.size() >= kMaxCommandLineBytes) {
        too_long = true;
        Consume(in.size());
      }
      Wait w = Fill();
      if (w == Wait::kTimeout) return Line::kTimeout;
      if (w != Wait::kReady) return Line::kGone;
    }
  }
  void Reply(std::string_view text) { pending_ += text; }
  // Writes pending replies; false when the client does not take them in
  // time or is gone.
  bool Flush() {
    std::string_view data = pending_;
    while (!data.empty()) {
      ssize_t n = WriteRetry(out_, data.data(), data.size());
      if (n < 0 && errno == EAGAIN) {
        struct pollfd p = {out_, POLLOUT, 0};
        int r = poll(&p, 1, timeout_ms_);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        continue;
      }
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    pending_.clear();
    return true;
  }

 private:
  int in_;
  int out_;
  int timeout_ms_;
  char buf_[kInputBufferBytes];
  size_t start_ = 0;
  size_t end_ = 0;
  std::string pending_;
};

enum class Pregreet { kQuiet, kTalked, kGone };

// Waits out the greeting delay, watching for a client that talks first.
Pregreet WatchBeforeGreeting(int in_fd, std::chrono::milliseconds delay) {
  struct pollfd p = {in_fd, POLLIN, 0};
  for (;;) {
    int r = poll(&p, 1, static_cast<int>(delay.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Pregreet::kQuiet;
    char c;
    ssize_t n = ReadRetry(in_fd, &c, 1);
    if (n < 0 && errno == EAGAIN) return Pregreet::kQuiet;
    return n > 0 ? Pregreet::kTalked : Pregreet::kGone;
  }
}

std::chrono::milliseconds GreetDelay() {
  std::string v = Env("GREETDELAY");
  if (v.empty()) return kDefaultGreetDelay;
  std::optional<uint64_t> ms = control::ParseDecimal(
      v, static_cast<uint64_t>(kMaxGreetDelay.count()));
  if (!ms) return kDefaultGreetDelay;
  return std::chrono::milliseconds(*ms);
}

// Receives the body after 354. Returns false when the session must end
// (the client left or timed out; the reply, if any, is queued in conn).
bool ReceiveData(Connection& conn, Session& session, queue::QueueClient& queue,
                 const std::string& id) {
  queue.WriteMessage(session.ReceivedHeader(time(nullptr), id));
  DataDecoder decoder(session.max_message_bytes());
  std::string out;
  out.reserve(kInputBufferBytes);
  while (!decoder.done()) {
    std::string_view in = conn.buffered();
    if (in.empty()) {
      Connection::Wait w = conn.Fill();
      if (w != Connection::Wait::kReady) {
        queue.Abort();  // no final reply: nothing is queued
        Log("message " + id + ": client " +
            (w == Connection::Wait::kTimeout ? "timed out" : "left") +
            " during DATA; nothing queued");
        if (w == Connection::Wait::kTimeout) {
          conn.Reply(session.OnTimeout().text);
        }
        return false;
      }
      continue;
    }
    out.clear();
    conn.Consume(decoder.Feed(in, &out));
    queue.WriteMessage(out);
  }
  const DataResult& result = decoder.result();
  QueueOutcome outcome;
  if (result.acceptable()) {
    outcome =
        queue.Finish(queue::PackEnvelope(session.sender(), session.recipients()));
  } else {
    queue.Abort();
  }
  Reply reply = session.OnDataEnd(result, outcome);
  Log("message " + id + " from " + Env("TCPREMOTEIP") + ": " +
      std::to_string(result.bytes) + " bytes: " +
      reply.text.substr(0, reply.text.size() - 2));
  conn.Reply(reply.text);
  return true;
}

// What PreloadSmtpdControl read, without $DATABYTES.
struct ControlCopy {
  std::optional<control::SmtpdControl> control;
  std::string control_dir;  // what it was read from
  std::chrono::steady_clock::time_point loaded;
};

ControlCopy& Preloaded() {
  static ControlCopy copy;
  return copy;
}

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
  return host;
}

// The control files, from the preloaded copy when there is one for this
// directory (a rule could set another $YUBIN_ROOT for the session).
Result<control::SmtpdControl> LoadControl(const std::string& control_dir) {
  const char* databytes_env = std::getenv("DATABYTES");
  const ControlCopy& copy = Preloaded();
  if (!copy.control || copy.control_dir != control_dir) {
    return control::LoadSmtpdControl(control_dir, databytes_env, HostName());
  }
  control::SmtpdControl c = *copy.control;
  if (Status s = control::ApplyDatabytesEnv(databytes_env, &c); !s.ok()) return s;
  return c;
}

}  // namespace

void PreloadSmtpdControl() {
  ControlCopy& copy = Preloaded();
  const auto now = std::chrono::steady_clock::now();
  const std::string control_dir = YubinRoot() + "/control";
  if (copy.control && copy.control_dir == control_dir && now - copy.loaded < kControlCacheTime) {
    return;
  }
  Result<control::SmtpdControl> c = control::LoadSmtpdControl(control_dir, nullptr, HostName());
  copy.control.reset();
  // The time zone too, which the Received line needs: read here once, not
  // from /etc/localtime in every child.
  tzset();
  if (!c.ok()) return;
  copy.control = std::move(*c);
  copy.control_dir = control_dir;
  copy.loaded = now;
}

int RunSmtpd(int in_fd, int out_fd) {
  signal(SIGPIPE, SIG_IGN);
  // The queue program's pipes must not land on 0, 1 or 2.
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
      return kExitTemporary;
    }
  }
  std::string control_dir = YubinRoot() + "/control";
  Result<control::SmtpdControl> control = LoadControl(control_dir);
  if (!control.ok()) {
    Log("fatal: " + control.status().message());
    std::string msg = "421 4.3.0 temporary configuration problem; try later\r\n";
    (void)WriteAll(out_fd, msg);
    return kExitTemporary;
  }
  if (!control->rcpthosts) {
    Log("warning: no " + control_dir +
        "/rcpthosts: relaying for nobody; only mail for control/locals "
        "domains (or from RELAYCLIENT clients) is accepted");
  }
  (void)SetNonBlocking(in_fd, true);
  (void)SetNonBlocking(out_fd, true);

  SessionConfig config;
  config.control = &*control;
  config.relay_client = std::getenv("RELAYCLIENT") != nullptr;
  config.remote_ip = Env("TCPREMOTEIP");
  config.remote_host = Env("TCPREMOTEHOST");
  config.local_ip = Env("TCPLOCALIP");
  users::UserLookup lookup(users::UserLookupConfig::ForChecker(YubinRoot()));
  config.has_mailbox = [&lookup](std::string_view local) {
    return users::HasMailbox(lookup, local);
  };
  Session session(config);
  const uint64_t timeout_ms64 = control->timeout_seconds * 1000;
  Connection conn(in_fd, out_fd, static_cast<int>(timeout_ms64));

  std::chrono::milliseconds delay = GreetDelay();
  if (delay.count() > 0) {
    Pregreet early = WatchBeforeGreeting(in_fd, delay);
    if (early == Pregreet::kGone) return kExitOk;
    if (early == Pregreet::kTalked) {
      Log("client " + config.remote_ip + " talked before the greeting");
      conn.Reply(session.OnEarlyTalk().text);
      (void)conn.Flush();
      return kExitOk;
    }
  }
  conn.Reply(session.Greeting());

  const std::string id_base =
      std::to_string(time(nullptr)) + "." + std::to_string(getpid());
  int messages = 0;
  for (;;) {
    std::string line;
    Connection::Line got = conn.NextLine(&line);
    if (got == Connection::Line::kGone) return kExitOk;
    if (got == Connection::Line::kTimeout) {
      conn.Reply(session.OnTimeout().text);
      break;
    }
    Reply r = got == Connection::Line::kTooLong ? session.OnLineTooLong()
                                                : session.OnCommandLine(line);
    conn.Reply(r.text);
    if (r.action == Action::kClose) break;
    if (r.action != Action::kStartData) continue;
    queue::QueueClient queue;
    // Captured: "queued <id>" goes into the 250 reply, the rest to our log.
    Status started =
        queue.StartDefault(queue::QueueStderr::kCapture);
    if (!started.ok()) Log("warning: queue program: " + started.message());
    Reply go = session.OnDataStart(started.ok());
    conn.Reply(go.text);
    if (!started.ok()) continue;
    ++messages;
    if (!ReceiveData(conn, session, queue,
                     id_base + "." + std::to_string(messages))) {
      break;
    }
  }
  (void)conn.Flush();
  return kExitOk;
}

}  // namespace yubin::smtp
