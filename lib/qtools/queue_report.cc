#include "lib/qtools/queue_report.h"

#include "lib/queue/hold_mark.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "lib/base/fd.h"
#include "lib/qtools/state_records.h"
#include "lib/queue/envelope.h"

namespace yubin::qtools {
namespace {

using queue::MessageId;
using queue::MessagePath;
using queue::QueueArea;

// The contents of one per-message file; nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfPresent(const std::string& path) {
  Result<std::string> text = ReadSmallFile(path.c_str(), kMaxQueueFileBytes);
  if (text.ok()) return std::optional<std::string>(std::move(*text));
  if (text.status().error_number() == ENOENT) {
    return std::optional<std::string>();
  }
  return text.status();
}

// Adds the recipients of local/B/id or remote/B/id. A file that
// does not exist (no recipients on that channel) is not an error.
Status AddChannel(const std::string& queue_dir, QueueArea area, MessageId id,
                  Channel channel, MessageReport* out) {
  std::string path = MessagePath(queue_dir, area, id);
  Result<std::optional<std::string>> text = ReadIfPresent(path);
  if (!text.ok()) return text.status();
  if (!*text) return Status::Ok();
  Result<std::vector<RecipientRecord>> records = ParseRecipientRecords(**text);
  if (!records.ok()) return records.status().Wrap(path);
  for (RecipientRecord& r : *records) {
    out->recipients.push_back({channel, r.done, std::move(r.address)});
  }
  return Status::Ok();
}

// Addresses come from whoever injected the message: control characters are
// shown as '?' so that a listing cannot forge lines on a terminal.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 32 || c == 127) c = '?';
  }
  return out;
}

void NoteProblem(MessageReport* out, const Status& status) {
  if (!out->problem.empty()) out->problem += "; ";
  out->problem += status.message();
}

}  // namespace

Result<QueueCounts> CountQueue(const std::string& queue_dir) {
  QueueCounts counts;
  Status s = queue::ForEachMessage(queue_dir, QueueArea::kMess,
                                   [&](MessageId) { ++counts.messages; });
  if (!s.ok()) return s;
  s = queue::ForEachMessage(queue_dir, QueueArea::kTodo,
                            [&](MessageId) { ++counts.unprocessed; });
  if (!s.ok()) return s;
  return counts;
}

std::string FormatQueueCounts(const QueueCounts& counts) {
  return "messages in queue: " + std::to_string(counts.messages) +
         "\nmessages in queue but not yet preprocessed: " +
         std::to_string(counts.unprocessed) + "\n";
}

Result<std::optional<MessageReport>> ReadQueuedMessage(
    const std::string& queue_dir, MessageId id) {
  MessageReport out;
  out.id = id;
  std::string mess = MessagePath(queue_dir, QueueArea::kMess, id);
  struct stat st;
  if (::stat(mess.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<MessageReport>();
    return Status::FromErrno("stat " + mess, errno);
  }
  out.size = static_cast<uint64_t>(st.st_size);
  out.birth = st.st_mtime;
  // A hold mark left by yubin-queuectl; unreadable counts as held, as the
  // manager takes it.
  Result<queue::Mark> mark = queue::ReadMark(queue_dir, id);
  out.mark = mark.ok() ? *mark : queue::Mark::kHold;

  // The manager writes info/ before it unlinks todo/, so reading todo/
  // first and info/ second sees a message being preprocessed in one place
  // or the other.
  std::string todo = MessagePath(queue_dir, QueueArea::kTodo, id);
  Result<std::optional<std::string>> envelope = ReadIfPresent(todo);
  if (!envelope.ok()) {
    NoteProblem(&out, envelope.status());
    return std::optional<MessageReport>(std::move(out));
  }
  if (*envelope) {
    Result<queue::QueuedEnvelope> parsed = queue::ParseQueuedEnvelope(**envelope);
    if (!parsed.ok()) {
      NoteProblem(&out, parsed.status().Wrap(todo));
      return std::optional<MessageReport>(std::move(out));
    }
    out.birth = parsed->birth;
    out.sender = std::move(parsed->sender);
    for (std::string& r : parsed->recipients) {
      out.recipients.push_back({Channel::kNotPreprocessed, false, std::move(r)});
    }
    return std::optional<MessageReport>(std::move(out));
  }

  std::string info_path = MessagePath(queue_dir, QueueArea::kInfo, id);
  Result<std::optional<std::string>> info_text = ReadIfPresent(info_path);
  if (!info_text.ok()) {
    NoteProblem(&out, info_text.status());
    return std::optional<MessageReport>(std::move(out));
  }
  if (!*info_text) return std::optional<MessageReport>();  // not queued (now)
  out.preprocessed = true;
  Result<InfoRecords> info = ParseInfoFile(**info_text);
  if (!info.ok()) {
    NoteProblem(&out, info.status().Wrap(info_path));
  } else {
    out.sender = std::move(info->sender);
    if (info->birth) {
      out.birth = *info->birth;
    } else if (::stat(info_path.c_str(), &st) == 0) {
      out.birth = st.st_mtime;  // qmail's way: the birth is info's mtime
    }
  }
  if (Status s = AddChannel(queue_dir, QueueArea::kLocal, id, Channel::kLocal, &out);
      !s.ok()) {
    NoteProblem(&out, s);
  }
  if (Status s = AddChannel(queue_dir, QueueArea::kRemote, id, Channel::kRemote, &out);
      !s.ok()) {
    NoteProblem(&out, s);
  }
  std::string bounce = MessagePath(queue_dir, QueueArea::kBounce, id);
  out.bouncing = ::access(bounce.c_str(), F_OK) == 0;
  return std::optional<MessageReport>(std::move(out));
}

Result<QueueListing> ReadQueue(const std::string& queue_dir) {
  std::vector<MessageId> ids;
  Status s = queue::ForEachMessage(queue_dir, QueueArea::kMess,
                                   [&](MessageId id) { ids.push_back(id); });
  if (!s.ok()) return s;
  QueueListing listing;
  for (MessageId id : ids) {
    Result<std::optional<MessageReport>> m = ReadQueuedMessage(queue_dir, id);
    if (!m.ok()) {
      listing.warnings.push_back("message " + std::to_string(id) + ": " +
                                 m.status().message());
      continue;
    }
    if (!*m) continue;
    if (!(*m)->problem.empty()) {
      listing.warnings.push_back("message " + std::to_string(id) + ": " +
                                 (*m)->problem);
    }
    listing.messages.push_back(std::move(**m));
  }
  std::sort(listing.messages.begin(), listing.messages.end(),
            [](const MessageReport& a, const MessageReport& b) {
              return a.birth != b.birth ? a.birth < b.birth : a.id < b.id;
            });
  return listing;
}

std::string FormatQueueDate(int64_t unix_seconds) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  if (::gmtime_r(&t, &tm) == nullptr) return "(bad date " + std::to_string(unix_seconds) + ")";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d %s %d %02d:%02d:%02d GMT", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string FormatMessageReport(const MessageReport& m) {
  std::string out = FormatQueueDate(m.birth) + "  #" + std::to_string(m.id) +
                    "  " + std::to_string(m.size) + "  <" + Printable(m.sender) + ">";
  if (!m.preprocessed) out += "  not yet preprocessed";
  if (m.bouncing) out += "  bouncing";
  if (m.mark != queue::Mark::kNone) out += std::string("  ") + queue::MarkName(m.mark);
  if (!m.problem.empty()) out += "  (unreadable: " + m.problem + ")";
  out += '\n';
  for (const RecipientReport& r : m.recipients) {
    out += r.done ? "  done  " : "        ";
    switch (r.channel) {
      case Channel::kNotPreprocessed: out += "todo    "; break;
      case Channel::kLocal: out += "local   "; break;
      case Channel::kRemote: out += "remote  "; break;
    }
    out += Printable(r.address);
    out += '\n';
  }
  return out;
}

std::string FormatQueueListing(const QueueListing& listing) {
  std::string out;
  for (const MessageReport& m : listing.messages) out += FormatMessageReport(m);
  return out;
}

}  // namespace yubin::qtools
