#include "lib/remote/remote_delivery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <random>

#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
#include "lib/control/control_file.h"
#include "lib/dns/dns_servers.h"
#include "lib/queue/layout.h"
#include "lib/remote/tcpto.h"

namespace yubin::remote {
namespace {

using smtpclient::MessageOutcome;
using smtpclient::OutgoingMessage;
using smtpclient::Verdict;

constexpr size_t kCopyChunkBytes = 65536;

MessageOutcome FailAll(const OutgoingMessage& m, Verdict v,
                       const std::string& text) {
  MessageOutcome o;
  o.verdict = v;
  o.text = text;
  o.recipients.assign(m.recipients.size(), {v, text});
  return o;
}

std::string Clean(std::string_view text) {
  std::string out(text.substr(0, kMaxReportTextBytes));
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = '?';
  }
  return out;
}

// The resolver, created at the first lookup: a route with a relay (an
// smtproutes entry naming an address) never needs one, and creating it
// reads the resolver's configuration files every time.
class LazyResolver : public dns::DnsLookup {
 public:
  explicit LazyResolver(dns::ResolverOptions options) : options_(std::move(options)) {}
  Result<std::vector<dns::MxRecord>> LookupMx(const std::string& domain) override {
    if (Status s = Ready(); !s.ok()) return s;
    return resolver_->LookupMx(domain);
  }
  Result<std::vector<dns::IpAddress>> LookupAddresses(const std::string& host) override {
    if (Status s = Ready(); !s.ok()) return s;
    return resolver_->LookupAddresses(host);
  }

 private:
  Status Ready() {
    if (resolver_ != nullptr) return Status::Ok();
    Result<std::unique_ptr<dns::Resolver>> r = dns::Resolver::Create(options_);
    if (!r.ok()) return Status::Temporary(r.status().message());
    resolver_ = std::move(*r);
    return Status::Ok();
  }
  dns::ResolverOptions options_;
  std::unique_ptr<dns::Resolver> resolver_;
};

std::string Peer(const Target& t) {
  std::string addr = t.ip.ipv6 ? "[" + t.ip.text + "]" : t.ip.text;
  if (t.port != kSmtpPort) addr += ":" + std::to_string(t.port);
  return addr;
}

}  // namespace

RemoteDelivery::RemoteDelivery(const control::RemoteControl& control,
                               dns::DnsLookup& dns, std::string tcpto_path,
                               std::vector<dns::IpAddress> ours)
    : control_(control), dns_(dns), tcpto_path_(std::move(tcpto_path)),
      ours_(std::move(ours)), clock_([] { return time(nullptr); }) {}

RemoteDelivery::RemoteDelivery(const control::RemoteControl& control,
                               dns::DnsLookup& dns, std::string tcpto_path,
                               std::function<std::vector<dns::IpAddress>()> ours)
    : control_(control), dns_(dns), tcpto_path_(std::move(tcpto_path)),
      find_ours_(std::move(ours)), clock_([] { return time(nullptr); }) {}

std::optional<smtpclient::SmtpSession> RemoteDelivery::Connect(
    const std::string& domain, const std::vector<OutgoingMessage>& messages,
    const std::function<void(MessageOutcome)>& emit) {
  std::random_device seed;
  std::mt19937 rng(seed());
  Result<std::vector<Target>> targets = PlanRoute(
      domain, control_, dns_,
      [this]() -> const std::vector<dns::IpAddress>& {
        if (!ours_) ours_ = find_ours_ ? find_ours_() : std::vector<dns::IpAddress>{};
        return *ours_;
      },
      rng);
  if (!targets.ok()) {
    Verdict v = targets.status().permanent() ? Verdict::kPermanent
                                             : Verdict::kTemporary;
    for (const OutgoingMessage& m : messages) emit(FailAll(m, v, targets.status().message()));
    return std::nullopt;
  }
  TcptoTable tcpto(tcpto_path_);
  Status last = Status::Temporary("every address of " + domain +
                                  " is in the tcpto memory of recent "
                                  "timeouts");
  std::optional<smtpclient::SmtpSession> session;
  for (const Target& t : *targets) {
    if (tcpto.ShouldSkip(t.ip, clock_())) continue;
    bool timed_out = false;
    Result<UniqueFd> fd = smtpclient::ConnectTcp(
        t.ip, t.port, control_.outgoingip,
        static_cast<int>(control_.timeout_connect * 1000), &timed_out);
    if (!fd.ok()) {
      if (timed_out) tcpto.RecordTimeout(t.ip, clock_());
      last = Status::Temporary("connecting to " + Peer(t) + ": " +
                               fd.status().message());
      continue;
    }
    tcpto.RecordSuccess(t.ip);
    session.emplace(smtpclient::Connection(std::move(*fd),
                                           static_cast<int>(control_.timeout_remote * 1000)),
                    smtpclient::SessionOptions{.helo_host = control_.helohost}, Peer(t));
    if (Status s = session->Open(); !s.ok()) {
      last = s;
      session.reset();
      continue;
    }
    return session;
  }
  std::string text = "Sorry, I wasn't able to establish an SMTP connection. "
                     "(#4.4.1) " + last.message();
  Verdict v = last.permanent() ? Verdict::kPermanent : Verdict::kTemporary;
  if (last.permanent()) text = last.message();
  for (const OutgoingMessage& m : messages) emit(FailAll(m, v, text));
  return std::nullopt;
}

std::vector<MessageOutcome> RemoteDelivery::DeliverBatch(
    const std::string& domain, const std::vector<OutgoingMessage>& messages,
    const std::function<void(const MessageOutcome&)>& done, const NextBatch& next) {
  std::vector<MessageOutcome> out;
  auto emit = [&](MessageOutcome o) {
    out.push_back(std::move(o));
    if (done) done(out.back());
  };
  std::vector<OutgoingMessage> batch = messages;
  std::optional<smtpclient::SmtpSession> session;
  for (;;) {
    if (!session || !session->usable()) session = Connect(domain, batch, emit);
    if (session) {
      for (const OutgoingMessage& m : batch) emit(session->Send(m));
    }
    if (!next) break;
    bool lost = false;
    std::optional<std::vector<OutgoingMessage>> more =
        next(session && session->usable() ? session->fd() : -1, &lost);
    if (lost) session.reset();  // nothing to say QUIT to
    if (!more) break;
    batch = std::move(*more);
    out.clear();
  }
  if (session) session->Quit();
  return out;
}

Result<PreparedMessage> PrepareMessage(int in_fd) {
  PreparedMessage pm;
  struct stat st;
  if (fstat(in_fd, &st) != 0) return Status::FromErrno("fstat stdin", errno);
  if (S_ISREG(st.st_mode)) {
    pm.fd.reset(fcntl(in_fd, F_DUPFD_CLOEXEC, 0));
    if (!pm.fd.valid()) return Status::FromErrno("dup stdin", errno);
  } else {
    const char* tmp = getenv("TMPDIR");
    std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    pm.fd.reset(OpenRetry(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!pm.fd.valid()) {
      return Status::FromErrno("temporary file in " + dir, errno);
    }
    char buf[kCopyChunkBytes];
    for (;;) {
      ssize_t n = ReadRetry(in_fd, buf, sizeof buf);
      if (n < 0) return Status::FromErrno("read message", errno);
      if (n == 0) break;
      if (Status s = WriteAll(pm.fd.get(), std::string_view(buf, n)); !s.ok()) {
        return s;
      }
    }
  }
  char buf[kCopyChunkBytes];
  uint64_t offset = 0;
  for (;;) {
    ssize_t n;
    do {
      n = pread(pm.fd.get(), buf, sizeof buf, static_cast<off_t>(offset));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Status::FromErrno("read message", errno);
    if (n == 0) break;
    for (ssize_t i = 0; i < n && !pm.eight_bit; ++i) {
      if (static_cast<unsigned char>(buf[i]) >= 128) pm.eight_bit = true;
    }
    offset += static_cast<uint64_t>(n);
  }
  pm.size = offset;
  return pm;
}

std::string FormatReport(const MessageOutcome& o) {
  std::string report;
  for (const smtpclient::RecipientOutcome& r : o.recipients) {
    report += smtpclient::RecipientCode(r.verdict);
    report += Clean(r.text);
    report += '\0';
  }
  report += smtpclient::MessageCode(o.verdict);
  report += Clean(o.text);
  report += '\0';
  return report;
}

Result<RemoteArguments> ParseRemoteArguments(const std::vector<std::string>& args) {
  RemoteArguments out;
  out.batch = !args.empty() && args[0] == "--batch";
  size_t at = out.batch ? 1 : 0;
  if (args.size() < at + 3) return Status::Permanent("usage: too few arguments");
  out.host = args[at++];
  size_t recipients = 0;
  while (at < args.size()) {
    OutgoingMessage m;
    m.sender = args[at++];
    size_t count = args.size() - at;
    if (out.batch) {
      std::optional<uint64_t> n;
      if (at < args.size()) n = control::ParseDecimal(args[at], kMaxRemoteRecipients);
      if (!n || *n == 0 || *n > args.size() - at - 1) {
        return Status::Permanent("usage: bad recipient count for message " +
                                 std::to_string(out.messages.size() + 1));
      }
      count = static_cast<size_t>(*n);
      ++at;
    }
    if (count == 0) return Status::Permanent("usage: no recipients");
    recipients += count;
    if (recipients > kMaxRemoteRecipients) {
      return Status::Permanent("more than " + std::to_string(kMaxRemoteRecipients) +
                               " recipients");
    }
    m.recipients.assign(args.begin() + static_cast<std::ptrdiff_t>(at),
                        args.begin() + static_cast<std::ptrdiff_t>(at + count));
    at += count;
    out.messages.push_back(std::move(m));
    if (out.messages.size() > kMaxBatchMessages) {
      return Status::Permanent("more than " + std::to_string(kMaxBatchMessages) + " messages");
    }
  }
  return out;
}

int RunRemote(int argc, char** argv, int in_fd, int out_fd, const NextBatch& next) {
  Result<RemoteArguments> args =
      ParseRemoteArguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!args.ok()) {
    Warn(args.status().message());
    return kExitPermanent;
  }
  char hostname[256] = {};
  if (gethostname(hostname, sizeof hostname - 1) != 0) {
    std::snprintf(hostname, sizeof hostname, "localhost");
  }
  std::string root = YubinRoot();
  Result<control::RemoteControl> control =
      control::LoadRemoteControl(root + "/control", hostname);
  if (!control.ok()) {
    Warn("control: " + control.status().message());
    return kExitTemporary;
  }
  dns::ResolverOptions ro;
  Result<std::string> csv = dns::DnsServersCsv(control->dnsservers);
  if (!csv.ok()) {
    Warn(csv.status().message());
    return kExitTemporary;
  }
  ro.servers_csv = *csv;
  ro.timeout_ms = static_cast<int>(control->timeout_dns * 1000);
  LazyResolver resolver(ro);
  std::vector<PreparedMessage> prepared;
  for (size_t k = 0; k < args->messages.size(); ++k) {
    Result<PreparedMessage> pm =
        PrepareMessage(args->batch ? 3 + static_cast<int>(k) : in_fd);
    if (!pm.ok()) {
      Warn("message " + std::to_string(k + 1) + ": " + pm.status().message());
      return kExitTemporary;
    }
    OutgoingMessage& m = args->messages[k];
    m.fd = pm->fd.get();
    m.size = pm->size;
    m.eight_bit = pm->eight_bit;
    prepared.push_back(std::move(*pm));
  }

  std::string lock_dir = queue::LockDir(queue::QueueDir(root));
  struct stat st;
  std::string tcpto_path =
      stat(lock_dir.c_str(), &st) == 0 ? lock_dir + "/tcpto" : "";
  RemoteDelivery rd(*control, resolver, tcpto_path,
                    std::function<std::vector<dns::IpAddress>()>(LocalAddresses));
  Status written = Status::Ok();
  // Each report goes out as soon as its message is done, so that a run
  // killed half-way through a batch still tells what it finished.
  rd.DeliverBatch(args->host, args->messages, [&](const MessageOutcome& o) {
    if (written.ok()) written = WriteAll(out_fd, FormatReport(o));
  }, next ? NextBatch([&](int connection, bool* lost) -> std::optional<std::vector<OutgoingMessage>> {
    // What is not written cannot be reported later: end the run.
    if (!written.ok()) return std::nullopt;
    return next(connection, lost);
  }) : NextBatch());
  if (!written.ok()) {
    Warn("writing the report: " + written.message());
    return kExitTemporary;
  }
  return kExitOk;
}

}  // namespace yubin::remote
