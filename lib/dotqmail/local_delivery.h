// local_delivery.h: delivers one message to one local recipient the way
// qmail-local does: find the .qmail file, check it, then run every line.
//
//   DeliveryRequest req{.user = "kim", .home = "/home/kim", .local = "kim-list",
//                       .dash = "-", .ext = "list", .domain = "example.org",
//                       .sender = "a@b.example"};
//   DeliveryReport report;
//   Status s = DeliverLocal(req, message_fd, {}, &report);
//   // ok: delivered (report says where); permanent: bounce with
//   // s.message(); temporary: try again later.
//
// Order: loop check (a Delivered-To line equal to ours: permanent #5.4.6);
// plan (home directory and .qmail checks, extension lookup, parse); then the
// lines in file order: Maildir and mbox deliveries and programs at once,
// forwards collected and injected together at the end through the queue
// program with the new sender. A program exiting 99 ends the line list (the
// forwards before it are still sent). The first failure ends the delivery
// with that failure; deliveries already made by earlier lines stay made (as
// in qmail, a retry after a temporary failure repeats them).
//
// Temporary failures: home directory missing, not a directory, group- or
// world-writable, or sticky; .qmail group- or world-writable, unreadable,
// unparsable; a file or program line in an x-bit
// (forward-only) .qmail; any delivery's temporary failure. Permanent: loop,
// no .qmail for an extension, a program's permanent exit, the queue
// program's permanent refusal. A .qmail holding only comments delivers
// nowhere and succeeds: the message is discarded.
#ifndef YUBIN_LIB_DOTQMAIL_LOCAL_DELIVERY_H_
#define YUBIN_LIB_DOTQMAIL_LOCAL_DELIVERY_H_

#include <optional>
#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/dotqmail/dotqmail_parser.h"

namespace yubin::dotqmail {

inline constexpr char kDefaultDefaultDelivery[] = "./Maildir/\n";

struct DeliveryRequest {
  std::string user;    // account name, $USER
  std::string home;    // home directory, $HOME; programs run here
  std::string local;   // the address's whole local part, $LOCAL
  std::string dash;    // "" or "-": separates user and extension in names
  std::string ext;     // extension, $EXT
  std::string domain;  // the address's domain, $HOST
  std::string sender;  // envelope sender, "" for a bounce
  // .qmail text used when there is no .qmail or it is empty
  // (control/defaultdelivery).
  std::string default_delivery = kDefaultDefaultDelivery;
};

struct DeliveryPlan {
  std::string dotqmail_path;   // empty: no file, default delivery
  bool default_delivery = false;
  bool forward_only = false;   // the .qmail has its owner's x bit set
  std::optional<std::string> default_part;  // $DEFAULT
  std::string new_sender;      // sender of forwarded copies, $NEWSENDER
  std::vector<Instruction> instructions;
};

struct ExecuteOptions {
  std::string queue_program;              // empty: deliver::QueueProgram()
  std::optional<std::vector<std::string>> environment;  // empty: environ
};

struct DeliveryReport {
  std::vector<std::string> done;  // "maildir ./Maildir/ -> new/1764..." etc.
};

std::string RecipientAddress(const DeliveryRequest& req);  // local@domain
std::string ReturnPathLine(const DeliveryRequest& req);    // "Return-Path: <s>\n"
std::string DeliveredToLine(const DeliveryRequest& req);   // "Delivered-To: l@d\n"

Result<DeliveryPlan> PlanDelivery(const DeliveryRequest& req);

// The environment of `|` programs: base plus SENDER NEWSENDER RECIPIENT
// USER HOME HOST HOST2 HOST3 HOST4 LOCAL EXT EXT2 EXT3 EXT4 DEFAULT DTLINE
// RPLINE UFLINE
// (replacing any of those in base; DEFAULT only when a -default file matched).
std::vector<std::string> ProgramEnvironment(const DeliveryRequest& req,
                                            const DeliveryPlan& plan,
                                            const std::vector<std::string>& base);

Status ExecutePlan(const DeliveryRequest& req, const DeliveryPlan& plan,
                   int message_fd, const ExecuteOptions& options,
                   DeliveryReport* report);

// Loop check, PlanDelivery, ExecutePlan.
Status DeliverLocal(const DeliveryRequest& req, int message_fd,
                    const ExecuteOptions& options, DeliveryReport* report);

}  // namespace yubin::dotqmail

#endif  // YUBIN_LIB_DOTQMAIL_LOCAL_DELIVERY_H_
