#include "lib/dotqmail/local_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "lib/base/fd.h"
#include "lib/base/yubin_root.h"
#include "lib/dotqmail/local_delivery.h"
#include "lib/users/become_user.h"
#include "lib/users/user_lookup.h"

namespace yubin::dotqmail {
namespace {

constexpr size_t kCopyChunk = 65536;

LocalCommandOutcome Fail(Status s) { return {s, s.message()}; }

// The message as a seekable fd: fd itself when it can seek, else a copy in
// an unlinked temporary file.
Result<UniqueFd> SeekableMessage(int fd) {
  if (::lseek(fd, 0, SEEK_SET) == 0) return UniqueFd(::dup(fd));
  const char* tmpdir = std::getenv("TMPDIR");
  std::string dir = tmpdir != nullptr && tmpdir[0] == '/' ? tmpdir : "/tmp";
  UniqueFd copy(OpenRetry(dir.c_str(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600));
  if (!copy.valid()) return Status::FromErrno("create temporary file in " + dir, errno);
  std::string buf(kCopyChunk, '\0');
  for (;;) {
    ssize_t n = ReadRetry(fd, buf.data(), buf.size());
    if (n < 0) return Status::FromErrno("read message", errno);
    if (n == 0) break;
    if (Status s = WriteAll(copy.get(), std::string_view(buf.data(), n)); !s.ok()) {
      return s.Wrap("copy message");
    }
  }
  return copy;
}

std::string DescribePlan(const DeliveryRequest& req, const users::LocalUser& user,
                         const DeliveryPlan& plan) {
  std::string out = "user " + user.user + " uid " + std::to_string(user.uid) + " gid " +
                    std::to_string(user.gid) + "\nhome " + req.home + "\nlocal " +
                    req.local + " dash \"" + req.dash + "\" ext \"" + req.ext + "\"\n";
  out += "file " + (plan.dotqmail_path.empty() ? std::string("(none)") : plan.dotqmail_path);
  if (plan.default_delivery) out += " (default delivery)";
  if (plan.forward_only) out += " (forward only)";
  out += "\n";
  if (plan.default_part) out += "DEFAULT " + *plan.default_part + "\n";
  out += "newsender " + plan.new_sender + "\n";
  for (const Instruction& ins : plan.instructions) {
    out += std::string(InstructionKindName(ins.kind)) + " " + ins.target + "\n";
  }
  return out;
}

}  // namespace

Result<LocalRecipient> LocalRecipient::Prepare(const std::string& local,
                                               const std::string& domain) {
  const std::string root = YubinRoot();
  users::UserLookup lookup(users::UserLookupConfig::ForRoot(root));
  Result<users::LocalUser> user = lookup.Find(local);
  if (!user.ok()) return user.status();
  LocalRecipient r;
  r.user_ = *user;
  r.req_.user = user->user;
  r.req_.home = user->home;
  r.req_.local = local;
  r.req_.dash = user->dash;
  r.req_.ext = user->ext;
  r.req_.domain = domain;
  Result<std::string> dd =
      ReadSmallFile((root + "/control/defaultdelivery").c_str(), kMaxDefaultDeliveryBytes);
  if (dd.ok()) {
    r.req_.default_delivery = *dd;
  } else if (dd.status().error_number() != ENOENT) {
    return dd.status().Wrap("control/defaultdelivery");
  }
  if (::geteuid() == 0) {
    if (Status s = users::BecomeUser(user->uid, user->gid); !s.ok()) return s;
  }
  return r;
}

namespace {

LocalCommandOutcome Deliver(DeliveryRequest req, const std::string& sender, int message_fd) {
  req.sender = sender;
  Result<UniqueFd> message = SeekableMessage(message_fd);
  if (!message.ok()) return Fail(message.status());
  DeliveryReport report;
  Status s = DeliverLocal(req, message->get(), {}, &report);
  if (!s.ok()) return Fail(s);
  std::string text;
  for (const std::string& line : report.done) text += "delivered: " + line + "\n";
  if (report.done.empty()) text = "discarded: the .qmail file has only comments\n";
  return {Status::Ok(), text};
}

int Report(const LocalCommandOutcome& o) {
  std::string text = o.text;
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (!WriteAll(1, text).ok()) return kExitTemporary;
  return ExitCodeFor(o.status);
}

}  // namespace

int LocalRecipient::DeliverAndReport(const std::string& sender, int message_fd) const {
  return Report(Deliver(req_, sender, message_fd));
}

LocalCommandOutcome RunLocalCommand(const std::vector<std::string>& args_in,
                                    int message_fd) {
  std::vector<std::string> args = args_in;
  bool plan_only = false;
  if (!args.empty() && args[0] == "-n") {
    plan_only = true;
    args.erase(args.begin());
  }
  if (!args.empty() && args[0] == "--") args.erase(args.begin());
  if (args.size() != 3) {
    return Fail(Status::Permanent("usage: yubin-local [-n] local domain sender"));
  }
  Result<LocalRecipient> r = LocalRecipient::Prepare(args[0], args[1]);
  if (!r.ok()) return Fail(r.status());
  if (plan_only) {
    DeliveryRequest req = r->request();
    req.sender = args[2];
    Result<DeliveryPlan> plan = PlanDelivery(req);
    if (!plan.ok()) return Fail(plan.status());
    return {Status::Ok(), DescribePlan(req, r->user(), *plan)};
  }
  return Deliver(r->request(), args[2], message_fd);
}

int LocalCommandMain(const std::vector<std::string>& args) {
  return Report(RunLocalCommand(args, 0));
}

}  // namespace yubin::dotqmail
