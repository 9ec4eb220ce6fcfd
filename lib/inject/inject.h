// inject.h: injecting one message from a local program into the queue.
//
//   InjectOptions o;
//   o.recipients = {"joe"};            // qualified: joe@defaulthost
//   o.dot_ends_input = true;           // sendmail without -i
//   Status s = RunInject(o, 0, 1);     // reads stdin, runs the queue program
//
// Reads the message, fixes its header (header_rewrite.h), works out the
// envelope and hands both to the queue program (lib/queue/queue_client.h);
// the body streams through, never held whole in memory. With print_only the
// finished message goes to out_fd instead and nothing is queued.
// Fails: permanent for no recipients, a bad address or header over its
// limits (exit 100); temporary for a read error, missing control access or a
// temporary queue failure (exit 111). Nothing is queued unless ok.
#ifndef YUBIN_LIB_INJECT_INJECT_H_
#define YUBIN_LIB_INJECT_INJECT_H_

#include <optional>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::inject {

struct InjectOptions {
  std::optional<std::string> sender;     // -f; "" or "<>" = null sender
  std::optional<std::string> full_name;  // -F
  std::vector<std::string> recipients;   // from the command line
  bool recipients_from_header = false;   // add To/Cc/Bcc (or Resent-) ones
  bool dot_ends_input = false;           // a "." line ends the message
  bool print_only = false;               // write the message, queue nothing
};

Status RunInject(const InjectOptions& options, int in_fd, int out_fd);

// Recipients from command-line words: each may be an address list
// ("a, Joe <b@c>"); every address is qualified; duplicates dropped.
Result<std::vector<std::string>> RecipientsFromArguments(
    const std::vector<std::string>& words, std::string_view host,
    std::string_view domain);

// The envelope sender for -f TEXT: "" for "" or "<>", else the address in
// TEXT, qualified.
Result<std::string> SenderFromArgument(std::string_view text,
                                       std::string_view host,
                                       std::string_view domain);

}  // namespace yubin::inject

#endif  // YUBIN_LIB_INJECT_INJECT_H_
