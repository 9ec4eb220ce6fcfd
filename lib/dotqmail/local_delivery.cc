#include "lib/dotqmail/local_delivery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/base/fd.h"
#include "lib/deliver/forward.h"
#include "lib/deliver/maildir.h"
#include "lib/deliver/mbox.h"
#include "lib/deliver/program.h"
#include "lib/dotqmail/extension_lookup.h"
#include "lib/dotqmail/loop_check.h"

extern char** environ;

namespace yubin::dotqmail {
namespace {

// Newlines in addresses would forge header lines; qmail writes them as '_'.
std::string NoNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = '_';
  }
  return s;
}

// EXT2 is the part of ext after the first '-', EXT3 after the second, ...
std::string ExtPart(const std::string& ext, int dashes) {
  size_t pos = 0;
  for (int i = 0; i < dashes; ++i) {
    size_t d = ext.find('-', pos);
    if (d == std::string::npos) return "";
    pos = d + 1;
  }
  return ext.substr(pos);
}

// HOST2 is the domain before its last '.', HOST3 before the second-to-last,
// HOST4 before the third-to-last (empty when there are not enough dots).
std::string HostPart(const std::string& host, int dots) {
  size_t end = host.size();
  for (int i = 0; i < dots; ++i) {
    if (end == 0) return "";
    size_t d = host.rfind('.', end - 1);
    if (d == std::string::npos) return "";
    end = d;
  }
  return host.substr(0, end);
}

std::string JoinHome(const std::string& home, const std::string& target) {
  if (!target.empty() && target[0] == '/') return target;
  return home + "/" + target;
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Status CheckHome(const std::string& home) {
  struct stat st {};
  if (::stat(home.c_str(), &st) != 0) {
    return Status::Temporary("unable to stat home directory " + home + ": " +
                             std::strerror(errno) + " (#4.3.0)");
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::Temporary("home directory " + home + " is not a directory (#4.3.0)");
  }
  if (st.st_mode & S_ISVTX) {
    return Status::Temporary("home directory " + home +
                             " is sticky: user is editing his .qmail file (#4.2.1)");
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status::Temporary("home directory " + home +
                             " is group- or world-writable (#4.7.0)");
  }
  return Status::Ok();
}

struct DotQmailFile {
  std::string text;
  bool forward_only = false;
};

Result<DotQmailFile> ReadDotQmail(const std::string& path) {
  UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Status::FromErrno("unable to open " + path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno("unable to stat " + path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::Temporary(path + " is not a regular file (#4.7.0)");
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status::Temporary(path + " is group- or world-writable (#4.7.0)");
  }
  DotQmailFile out;
  out.forward_only = (st.st_mode & S_IXUSR) != 0;
  if (static_cast<size_t>(st.st_size) > kMaxDotQmailBytes) {
    return Status::Temporary(path + " is too long (#4.7.0)");
  }
  out.text.resize(kMaxDotQmailBytes + 1);
  ssize_t n = ReadFull(fd.get(), out.text.data(), out.text.size());
  if (n < 0) return Status::FromErrno("unable to read " + path, errno);
  out.text.resize(static_cast<size_t>(n));
  return out;
}

void SetEnv(std::vector<std::string>* env, const std::string& name,
            const std::string& value) {
  std::string prefix = name + "=";
  for (std::string& e : *env) {
    if (e.compare(0, prefix.size(), prefix) == 0) {
      e = prefix + value;
      return;
    }
  }
  env->push_back(prefix + value);
}

void UnsetEnv(std::vector<std::string>* env, const std::string& name) {
  std::string prefix = name + "=";
  std::erase_if(*env, [&](const std::string& e) {
    return e.compare(0, prefix.size(), prefix) == 0;
  });
}

std::string Qualify(const std::string& address, const std::string& domain) {
  if (address.find('@') != std::string::npos || domain.empty()) return address;
  return address + "@" + domain;
}

}  // namespace

std::string RecipientAddress(const DeliveryRequest& req) {
  return NoNewlines(req.local + "@" + req.domain);
}

std::string ReturnPathLine(const DeliveryRequest& req) {
  return "Return-Path: <" + NoNewlines(req.sender) + ">\n";
}

std::string DeliveredToLine(const DeliveryRequest& req) {
  return "Delivered-To: " + RecipientAddress(req) + "\n";
}

Result<DeliveryPlan> PlanDelivery(const DeliveryRequest& req) {
  if (Status s = CheckHome(req.home); !s.ok()) return s;
  Result<DotQmailChoice> choice = FindDotQmail(req.home, req.dash, req.ext);
  if (!choice.ok()) return choice.status();
  DeliveryPlan plan;
  plan.default_part = choice->default_part;
  std::string text;
  if (choice->found) {
    plan.dotqmail_path = choice->path;
    Result<DotQmailFile> file = ReadDotQmail(choice->path);
    if (!file.ok()) return file.status();
    plan.forward_only = file->forward_only;
    text = std::move(file->text);
  }
  if (text.empty()) {
    plan.default_delivery = true;
    plan.forward_only = false;
    Result<std::vector<Instruction>> parsed = ParseDotQmail(req.default_delivery);
    if (!parsed.ok()) return parsed.status().Wrap("control/defaultdelivery");
    if (parsed->empty()) {
      return Status::Temporary("control/defaultdelivery has no delivery instructions (#4.3.0)");
    }
    plan.instructions = std::move(*parsed);
  } else {
    // A file of comments only delivers nowhere: the message is discarded
    // (qmail's way to throw mail away is a .qmail holding "#").
    Result<std::vector<Instruction>> parsed = ParseDotQmail(text);
    if (!parsed.ok()) return parsed.status().Wrap(plan.dotqmail_path);
    plan.instructions = std::move(*parsed);
  }
  if (plan.forward_only) {
    for (const Instruction& ins : plan.instructions) {
      if (ins.kind != InstructionKind::kForward) {
        return Status::Temporary(plan.dotqmail_path + " has " +
                                 InstructionKindName(ins.kind) +
                                 " delivery but has x bit set (#4.7.0)");
      }
    }
  }
  for (Instruction& ins : plan.instructions) {
    if (ins.kind == InstructionKind::kForward) ins.target = Qualify(ins.target, req.domain);
  }
  // Bounces of forwarded copies go to the list owner when .qmail-EXT-owner
  // exists; a bounce (empty sender) stays a bounce.
  plan.new_sender = req.sender;
  if (!req.sender.empty() && !req.ext.empty() &&
      FileExists(req.home + "/.qmail" + req.dash + FileNameExtension(req.ext) + "-owner")) {
    plan.new_sender = req.local + "-owner@" + req.domain;
  }
  return plan;
}

std::vector<std::string> ProgramEnvironment(const DeliveryRequest& req,
                                            const DeliveryPlan& plan,
                                            const std::vector<std::string>& base) {
  std::vector<std::string> env = base;
  SetEnv(&env, "SENDER", req.sender);
  SetEnv(&env, "NEWSENDER", plan.new_sender);
  SetEnv(&env, "RECIPIENT", RecipientAddress(req));
  SetEnv(&env, "USER", req.user);
  SetEnv(&env, "HOME", req.home);
  SetEnv(&env, "HOST", req.domain);
  SetEnv(&env, "HOST2", HostPart(req.domain, 1));
  SetEnv(&env, "HOST3", HostPart(req.domain, 2));
  SetEnv(&env, "HOST4", HostPart(req.domain, 3));
  SetEnv(&env, "LOCAL", req.local);
  SetEnv(&env, "EXT", req.ext);
  SetEnv(&env, "EXT2", ExtPart(req.ext, 1));
  SetEnv(&env, "EXT3", ExtPart(req.ext, 2));
  SetEnv(&env, "EXT4", ExtPart(req.ext, 3));
  if (plan.default_part) {
    SetEnv(&env, "DEFAULT", *plan.default_part);
  } else {
    UnsetEnv(&env, "DEFAULT");
  }
  SetEnv(&env, "DTLINE", DeliveredToLine(req));
  SetEnv(&env, "RPLINE", ReturnPathLine(req));
  SetEnv(&env, "UFLINE", deliver::MboxFromLine(req.sender, ::time(nullptr)));
  return env;
}

Status ExecutePlan(const DeliveryRequest& req, const DeliveryPlan& plan,
                   int message_fd, const ExecuteOptions& options,
                   DeliveryReport* report) {
  const std::string header = ReturnPathLine(req) + DeliveredToLine(req);
  std::vector<std::string> forwards;
  std::vector<std::string> base;
  if (options.environment) {
    base = *options.environment;
  } else {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) base.push_back(*e);
  }
  for (const Instruction& ins : plan.instructions) {
    switch (ins.kind) {
      case InstructionKind::kForward:
        forwards.push_back(ins.target);
        continue;
      case InstructionKind::kMaildir: {
        Result<std::string> r =
            deliver::DeliverToMaildir(JoinHome(req.home, ins.target), header, message_fd);
        if (!r.ok()) return r.status();
        report->done.push_back("maildir " + ins.target + " -> " + *r);
        continue;
      }
      case InstructionKind::kMbox: {
        Status s = deliver::DeliverToMbox(JoinHome(req.home, ins.target), req.sender,
                                          header, message_fd);
        if (!s.ok()) return s;
        report->done.push_back("mbox " + ins.target);
        continue;
      }
      case InstructionKind::kProgram: {
        deliver::ProgramOutcome o = deliver::DeliverToProgram(
            ins.target, req.home, ProgramEnvironment(req, plan, base), header,
            message_fd);
        std::string text = o.text;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        if (o.kind == deliver::ProgramOutcomeKind::kPermanent) {
          return Status::Permanent(text.empty() ? "program failed permanently: " + ins.target
                                                : text);
        }
        if (o.kind == deliver::ProgramOutcomeKind::kTemporary) {
          return Status::Temporary(text.empty() ? "program failed temporarily: " + ins.target
                                                : text);
        }
        report->done.push_back("program " + ins.target);
        if (o.kind == deliver::ProgramOutcomeKind::kOkStop) {
          report->done.push_back("program asked to stop (exit 99)");
          break;
        }
        continue;
      }
    }
    break;  // only exit 99 leaves the switch without continue
  }
  if (!forwards.empty()) {
    std::string queue =
        options.queue_program.empty() ? deliver::QueueProgram() : options.queue_program;
    Status s = deliver::InjectMessage(queue, plan.new_sender, forwards,
                                      DeliveredToLine(req), message_fd);
    if (!s.ok()) return s;
    std::string list;
    for (const std::string& f : forwards) list += " " + f;
    report->done.push_back("forward" + list + " (sender <" + plan.new_sender + ">)");
  }
  return Status::Ok();
}

Status DeliverLocal(const DeliveryRequest& req, int message_fd,
                    const ExecuteOptions& options, DeliveryReport* report) {
  Result<bool> loop = HasDeliveredTo(message_fd, RecipientAddress(req));
  if (!loop.ok()) return loop.status();
  if (*loop) return Status::Permanent(kLoopMessage);
  Result<DeliveryPlan> plan = PlanDelivery(req);
  if (!plan.ok()) return plan.status();
  return ExecutePlan(req, *plan, message_fd, options, report);
}

}  // namespace yubin::dotqmail
