// local_command.h: yubin-local, the delivery of one message to one local
// recipient as a command (argv in, exit code out).
//
//   yubin-local [-n] LOCAL DOMAIN SENDER < message
//
//   LocalCommandOutcome o = RunLocalCommand(args, 0);
//   // o.status: ok / permanent / temporary; o.text: the report on success,
//   // the failure reason (for the bounce or the log) otherwise.
//
// Steps: look LOCAL up (users/assign.cdb, password database, alias); read
// ROOT/control/defaultdelivery (default "./Maildir/"); when running as root,
// become the recipient (BecomeUser) before touching anything of theirs; make
// sure the message is seekable (a pipe is copied to an unlinked temporary
// file in $TMPDIR or /tmp, as the recipient); then DeliverLocal. With -n
// nothing is delivered and no message is read: the text is the plan.
#ifndef YUBIN_LIB_DOTQMAIL_LOCAL_COMMAND_H_
#define YUBIN_LIB_DOTQMAIL_LOCAL_COMMAND_H_

#include <string>
#include <vector>

#include "lib/base/status.h"
#include "lib/dotqmail/local_delivery.h"
#include "lib/users/user_lookup.h"

namespace yubin::dotqmail {

inline constexpr size_t kMaxDefaultDeliveryBytes = 4096;

struct LocalCommandOutcome {
  Status status;
  std::string text;
};

// args: everything after argv[0].
LocalCommandOutcome RunLocalCommand(const std::vector<std::string>& args,
                                    int message_fd);

// RunLocalCommand in two parts, for a process that delivers several
// messages to one address (yubin-lspawn's kept children): the lookup, the
// control file and, as root, becoming the recipient, done once; then one
// delivery per message.
class LocalRecipient {
 public:
  static Result<LocalRecipient> Prepare(const std::string& local, const std::string& domain);
  // The message on message_fd for sender, with its text (newline ended)
  // written to fd 1; returns the exit code (0, 100 or 111).
  int DeliverAndReport(const std::string& sender, int message_fd) const;

  const users::LocalUser& user() const { return user_; }
  const DeliveryRequest& request() const { return req_; }

 private:
  users::LocalUser user_;
  DeliveryRequest req_;  // all but the sender
};

// yubin-local's whole run, for its main and for yubin-lspawn's forked
// child: RunLocalCommand with the message on fd 0, its text (newline ended)
// on fd 1; returns the exit code (0, 100 or 111).
int LocalCommandMain(const std::vector<std::string>& args);

}  // namespace yubin::dotqmail

#endif  // YUBIN_LIB_DOTQMAIL_LOCAL_COMMAND_H_
