#include "lib/remote/remote_delivery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>

#include "lib/base/fatal.h"
#include "lib/base/yubin_root.h"
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

std::vector<MessageOutcome> RemoteDelivery::DeliverBatch(
    const std::string& domain, const std::vector<OutgoingMessage>& messages) {
  std::vector<MessageOutcome> out;
  std::random_device seed;
  std::mt19937 rng(seed());
  Result<std::vector<Target>> targets =
      PlanRoute(domain, control_, dns_, ours_, rng);
  if (!targets.ok()) {
    Verdict v = targets.status().permanent() ? Verdict::kPermanent
                                             : Verdict::kTemporary;
    for (const OutgoingMessage& m : messages) {
      out.push_back(FailAll(m, v, targets.status().message()));
    }
    return out;
  }
  TcptoTable tcpto(tcpto_path_);
  Status last = Status::Temporary("every address of " + domain +
                                  " is in the tcpto memory of recent "
                                  "timeouts");
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
    smtpclient::SmtpSession session(
        smtpclient::Connection(std::move(*fd),
                               static_cast<int>(control_.timeout_remote *
                                                1000)),
        {.helo_host = control_.helohost}, Peer(t));
    if (Status s = session.Open(); !s.ok()) {
      last = s;
      continue;
    }
    for (const OutgoingMessage& m : messages) out.push_back(session.Send(m));
    session.Quit();
    return out;
  }
  std::string text = "Sorry, I wasn't able to establish an SMTP connection. "
                     "(#4.4.1) " + last.message();
  Verdict v = last.permanent() ? Verdict::kPermanent : Verdict::kTemporary;
  if (last.permanent()) text = last.message();
  for (const OutgoingMessage& m : messages) out.push_back(FailAll(m, v, text));
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

int RunRemote(int argc, char** argv, int in_fd, int out_fd) {
  if (argc < 4) return kExitPermanent;
  if (static_cast<size_t>(argc - 3) > kMaxRemoteRecipients) {
    Warn("more than " + std::to_string(kMaxRemoteRecipients) + " recipients");
    return kExitPermanent;
  }
  std::string host = argv[1];
  OutgoingMessage m;
  m.sender = argv[2];
  for (int i = 3; i < argc; ++i) m.recipients.push_back(argv[i]);

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
  Result<std::unique_ptr<dns::Resolver>> resolver = dns::Resolver::Create(ro);
  if (!resolver.ok()) {
    Warn(resolver.status().message());
    return kExitTemporary;
  }
  Result<PreparedMessage> pm = PrepareMessage(in_fd);
  if (!pm.ok()) {
    Warn(pm.status().message());
    return kExitTemporary;
  }
  m.fd = pm->fd.get();
  m.size = pm->size;
  m.eight_bit = pm->eight_bit;

  std::string lock_dir = queue::LockDir(queue::QueueDir(root));
  struct stat st;
  std::string tcpto_path =
      stat(lock_dir.c_str(), &st) == 0 ? lock_dir + "/tcpto" : "";
  RemoteDelivery rd(*control, **resolver, tcpto_path, LocalAddresses());
  std::vector<MessageOutcome> out = rd.DeliverBatch(host, {m});
  if (Status s = WriteAll(out_fd, FormatReport(out.front())); !s.ok()) {
    Warn("writing the report: " + s.message());
    return kExitTemporary;
  }
  return kExitOk;
}

}  // namespace yubin::remote
