// message_state.cc: see message_state.h.
#include "lib/queue/message_state.h"

#include "lib/queue/hold_mark.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <memory>

#include "lib/base/crc32c.h"
#include "lib/base/durable_file.h"
#include "lib/base/fd.h"
#include "lib/control/control_file.h"
#include "lib/queue/envelope.h"

namespace yubin::queue {
namespace {

Result<std::string> ReadWhole(const std::string& path) {
  return ReadSmallFile(path.c_str(), kMaxStateFileBytes);
}

// Splits NUL-terminated records; permanent failure on trailing bytes.
Result<std::vector<std::string_view>> SplitNul(std::string_view text,
                                               const std::string& path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nul = text.find('\0', start);
    if (nul == std::string_view::npos) {
      return Status::Permanent(path + ": record without its NUL");
    }
    out.push_back(text.substr(start, nul - start));
    start = nul + 1;
  }
  return out;
}

Status RemoveDurably(const std::string& path) {
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::FromErrno("unlink " + path, errno);
  }
  return FsyncDirectory(DirectoryOf(path));
}

}  // namespace

namespace {

// The records of a local/ or remote/ file; sets each record's offset.
std::string FormatRecipients(std::vector<RecipientRecord>* records) {
  std::string out;
  for (RecipientRecord& r : *records) {
    r.offset = static_cast<off_t>(out.size());
    out += r.done ? 'D' : 'T';
    out += r.recipient;
    out.push_back('\0');
    out += r.delivery;
    out.push_back('\0');
  }
  return out;
}

std::string FormatInfo(const MessageInfo& info) {
  std::string out = "t" + std::to_string(info.birth);
  out.push_back('\0');
  out += "F" + info.sender;
  out.push_back('\0');
  return out;
}

// Writes info/B/id and local/B/id and/or remote/B/id from state, without a
// sync; sets the recipients' offsets.
Status WriteStateFiles(const std::string& q, MessageId id, PreprocessedMessage* state,
                       SpareFiles* spares) {
  auto write = [&](QueueArea area, const std::string& content) {
    std::string path = MessagePath(q, area, id);
    return spares != nullptr ? spares->Place(path, content) : WriteQueueFile(path, content);
  };
  for (auto [area, records] : {std::pair{QueueArea::kLocal, &state->local},
                               std::pair{QueueArea::kRemote, &state->remote}}) {
    if (records->empty()) continue;
    if (Status s = write(area, FormatRecipients(records)); !s.ok()) return s;
  }
  return write(QueueArea::kInfo, FormatInfo(state->info));
}

Result<MessageInfo> ParseMessageInfo(const std::string& text, const std::string& path) {
  Result<std::vector<std::string_view>> recs = SplitNul(text, path);
  if (!recs.ok()) return recs.status();
  if (recs->size() != 2 || (*recs)[0].empty() || (*recs)[0][0] != 't' ||
      (*recs)[1].empty() || (*recs)[1][0] != 'F') {
    return Status::Permanent(path + ": malformed info file");
  }
  auto birth = control::ParseDecimal((*recs)[0].substr(1), INT64_MAX);
  if (!birth) return Status::Permanent(path + ": malformed birth");
  return MessageInfo{static_cast<int64_t>(*birth), std::string((*recs)[1].substr(1))};
}

Result<std::vector<RecipientRecord>> ParseRecipients(const std::string& text,
                                                     const std::string& path) {
  std::vector<RecipientRecord> out;
  Result<std::vector<std::string_view>> recs = SplitNul(text, path);
  if (!recs.ok()) return recs.status();
  if (recs->size() % 2 != 0) return Status::Permanent(path + ": odd record count");
  off_t offset = 0;
  for (size_t i = 0; i < recs->size(); i += 2) {
    std::string_view first = (*recs)[i];
    if (first.empty() || (first[0] != 'T' && first[0] != 'D')) {
      return Status::Permanent(path + ": bad state byte");
    }
    out.push_back({offset, first[0] == 'D', std::string(first.substr(1)),
                   std::string((*recs)[i + 1])});
    offset += static_cast<off_t>(first.size() + 1 + (*recs)[i + 1].size() + 1);
  }
  return out;
}

Status Unlink(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno("unlink " + path, errno);
  }
  return Status::Ok();
}

// Unlinks path, or keeps its inode among the spares.
Status Drop(const std::string& path, SpareFiles* spares) {
  return spares != nullptr ? spares->Retire(path) : Unlink(path);
}

}  // namespace

Status PreprocessMessage(const std::string& q, MessageId id,
                         const RecipientRules& rules) {
  Status s = PreprocessMessages(q, {id}, rules).front();
  if (!s.ok()) return s;
  return SyncFileSystem(q);
}

Status CheckWhole(const std::string& q, MessageId id, std::string_view file,
                  const QueuedEnvelope& env) {
  if (!env.check) return Status::Ok();
  const MessageCheck& check = *env.check;
  if (check.id != id) {
    return Status::Permanent("check record names message " + std::to_string(check.id));
  }
  if (Crc32c(0, file.substr(0, env.checked_bytes)) != check.envelope_crc) {
    return Status::Permanent("envelope does not match its check record");
  }
  const std::string mess = MessagePath(q, QueueArea::kMess, id);
  UniqueFd fd(OpenRetry(mess.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid() && errno == ENOENT) return Status::Permanent("no content in " + mess);
  if (!fd.valid()) return Status::FromErrno("open " + mess, errno);
  constexpr size_t kChunk = 64 * 1024;
  const std::unique_ptr<char[]> buf = std::make_unique_for_overwrite<char[]>(kChunk);
  uint64_t bytes = 0;
  uint32_t crc = 0;
  for (;;) {
    const ssize_t n = ReadRetry(fd.get(), buf.get(), kChunk);
    if (n < 0) return Status::FromErrno("read " + mess, errno);
    if (n == 0) break;
    bytes += static_cast<uint64_t>(n);
    crc = Crc32c(crc, std::string_view(buf.get(), static_cast<size_t>(n)));
  }
  if (bytes != check.content_bytes || crc != check.content_crc) {
    return Status::Permanent("content does not match its check record (" +
                             std::to_string(bytes) + " bytes, " +
                             std::to_string(check.content_bytes) + " recorded)");
  }
  return Status::Ok();
}

Result<PreprocessedMessage> ReadTodo(const std::string& q, MessageId id,
                                     const RecipientRules& rules, const std::string& boot) {
  std::string todo = MessagePath(q, QueueArea::kTodo, id);
  Result<std::string> text = ReadWhole(todo);
  if (!text.ok()) return text.status().Wrap(todo);
  Result<QueuedEnvelope> env = ParseQueuedEnvelope(*text);
  if (!env.ok()) return env.status().Wrap(todo);
  // Written in this boot, a message is whole in the page cache whatever the
  // disk holds; from an earlier one, it is what the disk kept, and one
  // whose injection a crash cut before its sync returned may be torn.
  if (env->check && (boot.empty() || env->check->boot != boot)) {
    if (Status whole = CheckWhole(q, id, *text, *env); !whole.ok()) {
      // Not known either way (the content could not be read): left for
      // the next scan.
      if (!whole.permanent()) return whole.Wrap(todo);
      // Never acknowledged: its sync did not finish. The commit point goes
      // first; the cleanup takes a mess/ file left without it.
      (void)Unlink(todo);
      (void)Unlink(MessagePath(q, QueueArea::kMess, id));
      return Status::Permanent(todo + ": torn by a crash before its injection was "
                               "acknowledged (" + whole.message() + "); removed");
    }
  }
  PreprocessedMessage out{{env->birth, env->sender}, {}, {}};
  for (const std::string& r : env->recipients) {
    SplitResult split = SplitRecipient(rules, r);
    (split.local ? out.local : out.remote)
        .push_back({0, false, r, split.local ? split.local_part + "@" + split.domain : r});
  }
  return out;
}

std::vector<Status> PreprocessRead(const std::string& q, const std::vector<MessageId>& ids,
                                   std::vector<PreprocessedMessage>* messages,
                                   SpareFiles* spares, bool drop_bounce_records) {
  std::vector<Status> out;
  std::vector<size_t> written;
  for (size_t i = 0; i < ids.size(); ++i) {
    Status s = WriteStateFiles(q, ids[i], &(*messages)[i], spares);
    // Failures recorded before a crash undid the todo/ removal: their
    // recipients are to be tried again like all the others.
    if (s.ok() && drop_bounce_records) s = Drop(MessagePath(q, QueueArea::kBounce, ids[i]), spares);
    out.push_back(s);
    if (out.back().ok()) written.push_back(i);
  }
  if (written.empty()) return out;
  // Every todo/ file still stands until its info/ local/ remote/ files are
  // durable: until then a crash only means doing the work again.
  if (Status s = SyncFileSystem(q); !s.ok()) {
    for (size_t i : written) out[i] = s;
    return out;
  }
  for (size_t i : written) out[i] = Drop(MessagePath(q, QueueArea::kTodo, ids[i]), spares);
  return out;
}

std::vector<Status> PreprocessMessages(const std::string& q, const std::vector<MessageId>& ids,
                                       const RecipientRules& rules, SpareFiles* spares,
                                       bool drop_bounce_records,
                                       std::vector<PreprocessedMessage>* parsed) {
  std::vector<Status> out(ids.size());
  std::vector<MessageId> read_ids;
  std::vector<PreprocessedMessage> read;
  std::vector<size_t> where;  // index in ids of each one read
  for (size_t i = 0; i < ids.size(); ++i) {
    Result<PreprocessedMessage> todo = ReadTodo(q, ids[i], rules);
    if (!todo.ok()) {
      out[i] = todo.status();
      continue;
    }
    read_ids.push_back(ids[i]);
    read.push_back(std::move(*todo));
    where.push_back(i);
  }
  std::vector<Status> done = PreprocessRead(q, read_ids, &read, spares, drop_bounce_records);
  if (parsed != nullptr) parsed->assign(ids.size(), {});
  for (size_t k = 0; k < where.size(); ++k) {
    out[where[k]] = done[k];
    if (parsed != nullptr) (*parsed)[where[k]] = std::move(read[k]);
  }
  return out;
}

Status WriteMessageState(const std::string& q, MessageId id, PreprocessedMessage* state,
                         SpareFiles* spares) {
  if (Status s = WriteStateFiles(q, id, state, spares); !s.ok()) return s;
  // As in PreprocessRead: todo/ stands until the rest is durable.
  if (Status s = SyncFileSystem(q); !s.ok()) return s;
  return Drop(MessagePath(q, QueueArea::kTodo, id), spares);
}

Result<MessageInfo> ReadMessageInfo(const std::string& q, MessageId id) {
  std::string path = MessagePath(q, QueueArea::kInfo, id);
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) return text.status().Wrap(path);
  return ParseMessageInfo(*text, path);
}

Result<std::vector<RecipientRecord>> ReadRecipients(const std::string& q,
                                                    QueueArea area, MessageId id) {
  std::string path = MessagePath(q, area, id);
  Result<std::string> text = ReadWhole(path);
  if (!text.ok()) {
    if (text.status().error_number() == ENOENT) return std::vector<RecipientRecord>{};
    return text.status().Wrap(path);
  }
  return ParseRecipients(*text, path);
}

Status MarkRecipientDone(const std::string& q, QueueArea area, MessageId id,
                         off_t offset) {
  std::string path = MessagePath(q, area, id);
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("open " + path, errno);
  if (pwrite(fd.get(), "D", 1, offset) != 1) {
    return Status::FromErrno("pwrite " + path, errno);
  }
  if (fsync(fd.get()) != 0) return Status::FromErrno("fsync " + path, errno);
  return Status::Ok();
}

Status SetNextAttempt(const std::string& q, QueueArea area, MessageId id,
                      time_t when) {
  std::string path = MessagePath(q, area, id);
  struct timespec times[2];
  times[0].tv_sec = when;
  times[0].tv_nsec = 0;
  times[1] = times[0];
  if (utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
    return Status::FromErrno("utimensat " + path, errno);
  }
  return Status::Ok();
}

Status WriteDoneByte(const std::string& q, QueueArea area, MessageId id, off_t offset) {
  std::string path = MessagePath(q, area, id);
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("open " + path, errno);
  if (pwrite(fd.get(), "D", 1, offset) != 1) {
    return Status::FromErrno("pwrite " + path, errno);
  }
  return Status::Ok();
}

time_t NextAttempt(const std::string& q, QueueArea area, MessageId id) {
  struct stat st;
  if (stat(MessagePath(q, area, id).c_str(), &st) != 0) return 0;
  return st.st_mtime;
}

Status AppendBounceRecord(const std::string& q, MessageId id,
                          std::string_view recipient, std::string_view reason) {
  std::string path = MessagePath(q, QueueArea::kBounce, id);
  struct stat st;
  bool is_new = stat(path.c_str(), &st) != 0;
  UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                        kQueueFileMode));
  if (!fd.valid()) return Status::FromErrno("open " + path, errno);
  std::string rec(recipient);
  rec.push_back('\0');
  std::string why(reason.substr(0, 4000));
  for (char& c : why) {
    if (c == '\0') c = ' ';
  }
  rec += why;
  rec.push_back('\0');
  Status s = WriteAll(fd.get(), rec);
  if (!s.ok()) return s.Wrap(path);
  if (fsync(fd.get()) != 0) return Status::FromErrno("fsync " + path, errno);
  if (is_new) return FsyncDirectory(DirectoryOf(path));
  return Status::Ok();
}

Result<std::vector<BounceFailure>> ReadBounceRecords(const std::string& q,
                                                     MessageId id) {
  std::string path = MessagePath(q, QueueArea::kBounce, id);
  Result<std::string> text = ReadWhole(path);
  std::vector<BounceFailure> out;
  if (!text.ok()) {
    if (text.status().error_number() == ENOENT) return out;
    return text.status().Wrap(path);
  }
  // A crash during an append can leave a partial last record: ignore it.
  std::string_view whole(*text);
  size_t end = whole.rfind('\0');
  whole = end == std::string_view::npos ? std::string_view() : whole.substr(0, end + 1);
  Result<std::vector<std::string_view>> recs = SplitNul(whole, path);
  if (!recs.ok()) return recs.status();
  for (size_t i = 0; i + 1 < recs->size(); i += 2) {
    out.push_back({std::string((*recs)[i]), std::string((*recs)[i + 1])});
  }
  return out;
}

Status RemoveBounceRecords(const std::string& q, MessageId id) {
  return RemoveDurably(MessagePath(q, QueueArea::kBounce, id));
}

Result<std::string> ReadMessageHead(const std::string& q, MessageId id,
                                    size_t max_bytes) {
  std::string path = MessagePath(q, QueueArea::kMess, id);
  UniqueFd fd(OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("open " + path, errno);
  std::string out(max_bytes + 1, '\0');
  ssize_t n = ReadFull(fd.get(), out.data(), out.size());
  if (n < 0) return Status::FromErrno("read " + path, errno);
  out.resize(static_cast<size_t>(n));
  return out;
}

Status RemoveMessage(const std::string& q, MessageId id) {
  return RemoveMessages(q, {id}).front();
}

std::vector<Status> RemoveMessages(const std::string& q, const std::vector<MessageId>& ids,
                                   SpareFiles* spares, Status* sync_status,
                                   const std::vector<MessageFiles>* files) {
  std::vector<Status> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const MessageFiles has = files != nullptr ? (*files)[i] : MessageFiles{};
    for (auto [a, there] : {std::pair{QueueArea::kTodo, has.todo}, {QueueArea::kLocal, has.local},
                            {QueueArea::kRemote, has.remote}, {QueueArea::kBounce, has.bounce},
                            {QueueArea::kInfo, has.info}}) {
      if (!there) continue;
      out[i] = Drop(MessagePath(q, a, ids[i]), spares);
      if (!out[i].ok()) break;
    }
  }
  // mess/ goes last, once nothing else of the message can come back: while
  // mess/B/id exists the id (its inode number) cannot be reused.
  Status synced = SyncFileSystem(q);
  if (sync_status != nullptr) *sync_status = synced;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!out[i].ok()) continue;
    if (!synced.ok()) {
      out[i] = synced;
      continue;
    }
    out[i] = RemoveMark(q, ids[i]);
    if (!out[i].ok()) continue;
    const std::string mess = MessagePath(q, QueueArea::kMess, ids[i]);
    const bool recycle = files == nullptr || (*files)[i].recycle_mess;
    out[i] = spares != nullptr && !recycle ? spares->Dispose(mess) : Drop(mess, spares);
  }
  return out;
}

}  // namespace yubin::queue
