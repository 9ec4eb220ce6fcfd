#include "lib/inject/inject.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "lib/base/buffered_io.h"
#include "lib/base/mail_date.h"
#include "lib/base/yubin_root.h"
#include "lib/inject/address_list.h"
#include "lib/inject/header_rewrite.h"
#include "lib/inject/inject_defaults.h"
#include "lib/inject/message_header.h"
#include "lib/inject/message_reader.h"
#include "lib/queue/queue_client.h"

namespace yubin::inject {
namespace {

constexpr size_t kOutputChunkBytes = 65536;

struct Envelope {
  std::string sender;  // empty for the null sender <>
  std::vector<std::string> recipients;
};

void AddUnique(std::vector<std::string>* list, std::string address) {
  for (const std::string& have : *list) {
    if (have == address) return;
  }
  list->push_back(std::move(address));
}

// Where the finished message goes: the queue program or, with -n, out_fd.
class MessageSink {
 public:
  MessageSink(queue::QueueClient* queue, int out_fd) : queue_(queue), out_fd_(out_fd) {}
  void Put(std::string_view data) {
    pending_ += data;
    if (pending_.size() >= kOutputChunkBytes) Flush();
  }
  void Flush() {
    if (queue_ != nullptr) {
      queue_->WriteMessage(pending_);
    } else if (status_.ok()) {
      status_ = WriteAll(out_fd_, pending_);
    }
    pending_.clear();
  }
  const Status& status() const { return status_; }

 private:
  queue::QueueClient* queue_;
  int out_fd_;
  std::string pending_;
  Status status_;
};

// Copies the rest of the message after its header.
Status CopyBody(MessageLineReader* lines, MessageSink* sink) {
  std::string line;
  for (;;) {
    MessageLine got = lines->Next(&line);
    switch (got) {
      case MessageLine::kEnd:
        return Status::Ok();
      case MessageLine::kError:
        return Status::FromErrno("read message", lines->error_number());
      case MessageLine::kPiece:
        sink->Put(line);
        break;
      case MessageLine::kLine:
        sink->Put(line);
        sink->Put("\n");
        break;
    }
  }
}

}  // namespace

Result<std::vector<std::string>> RecipientsFromArguments(
    const std::vector<std::string>& words, std::string_view host,
    std::string_view domain) {
  std::vector<std::string> out;
  for (const std::string& word : words) {
    Result<std::vector<HeaderAddress>> list = ParseAddressList(word);
    if (!list.ok()) {
      return Status::Permanent("bad recipient address " + word.substr(0, 100) +
                               ": " + list.status().message());
    }
    if (list->empty()) {
      return Status::Permanent("bad recipient address '" + word.substr(0, 100) + "'");
    }
    for (const HeaderAddress& a : *list) {
      AddUnique(&out, QualifyAddress(a.address, host, domain));
    }
  }
  return out;
}

Result<std::string> SenderFromArgument(std::string_view text, std::string_view host,
                                       std::string_view domain) {
  if (text.empty() || text == "<>") return std::string();
  Result<std::vector<HeaderAddress>> list = ParseAddressList(text);
  if (!list.ok() || list->size() != 1) {
    return Status::Permanent("bad sender address " +
                             std::string(text.substr(0, 100)));
  }
  return QualifyAddress(list->front().address, host, domain);
}

Status RunInject(const InjectOptions& options, int in_fd, int out_fd) {
  Result<InjectDefaults> defaults =
      LoadInjectDefaults(YubinRoot() + "/control", std::getenv, CurrentSystemUser());
  if (!defaults.ok()) return defaults.status();
  RewriteInputs inputs;
  inputs.defaults = std::move(*defaults);
  const InjectDefaults& d = inputs.defaults;
  if (options.full_name) inputs.defaults.full_name = SanitizeFullName(*options.full_name);

  Result<std::vector<std::string>> recipients =
      RecipientsFromArguments(options.recipients, d.default_host, d.default_domain);
  if (!recipients.ok()) return recipients.status();
  Envelope envelope;
  envelope.recipients = std::move(*recipients);
  if (options.sender) {
    Result<std::string> sender =
        SenderFromArgument(*options.sender, d.default_host, d.default_domain);
    if (!sender.ok()) return sender.status();
    envelope.sender = std::move(*sender);
  } else {
    envelope.sender = d.sender_user + "@" + d.sender_host;
  }

  BufferedReader in(in_fd);
  MessageLineReader lines(&in, options.dot_ends_input);
  Result<MessageHeader> header = ReadMessageHeader(&lines);
  if (!header.ok()) return header.status();

  time_t now = time(nullptr);
  inputs.date = FormatMailDate(now);
  inputs.message_id = MakeMessageId(now, getpid(), d.default_host);
  inputs.collect_recipients = options.recipients_from_header;
  Result<RewrittenHeader> rewritten = RewriteHeader(*header, inputs);
  if (!rewritten.ok()) return rewritten.status();
  for (std::string& r : rewritten->recipients) AddUnique(&envelope.recipients, std::move(r));
  if (envelope.recipients.empty()) {
    return Status::Permanent(
        "no recipients: give addresses as arguments, or use -t to take them "
        "from the To:, Cc: and Bcc: fields");
  }
  if (Status st = queue::CheckEnvelope(envelope.sender, envelope.recipients);
      !st.ok()) {
    return st;
  }
  const std::string packed = queue::PackEnvelope(envelope.sender, envelope.recipients);

  // The queue program shares our stderr: its complaints reach the user.
  queue::QueueClient queue;
  if (!options.print_only) {
    if (Status st = queue.StartDefault(); !st.ok()) return st;
  }
  MessageSink sink(options.print_only ? nullptr : &queue, out_fd);
  sink.Put(rewritten->text);
  sink.Put("\n");
  if (header->first_body_line) {
    sink.Put(*header->first_body_line);
    sink.Put("\n");
  }
  if (!header->input_ended) {
    if (Status st = CopyBody(&lines, &sink); !st.ok()) {
      queue.Abort();
      return st;
    }
  }
  sink.Flush();
  if (options.print_only) return sink.status();
  return queue::QueueExitStatus(queue.Finish(packed).wait_status);
}

}  // namespace yubin::inject
