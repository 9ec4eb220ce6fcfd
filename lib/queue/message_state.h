// message_state.h: the manager's durable per-message files (docs/queue.md,
// "The queue manager"): preprocessing todo/ into info/ local/ remote/,
// per-recipient marking, bounce records and removal.
//
//   Status s = PreprocessMessage(q, id, rules);       // todo -> info+local+remote
//   Result<MessageInfo> info = ReadMessageInfo(q, id);
//   Result<std::vector<RecipientRecord>> r = ReadRecipients(q, QueueArea::kLocal, id);
//   MarkRecipientDone(q, QueueArea::kLocal, id, r[0].offset);
//   AppendBounceRecord(q, id, "kim@example.com", "Sorry, no mailbox here.");
//   RemoveMessage(q, id);                             // local remote bounce info, mess last
//
// Formats (all NUL-terminated records):
//   info/B/id:          t<birth>\0 F<sender>\0
//   local/B/id, remote: <state><recipient>\0<delivery address>\0 ... where
//                       state is T (to do) or D (done), recipient is the
//                       envelope address and the delivery address is
//                       "local@domain" as yubin-local gets it (remote: the
//                       recipient again)
//   bounce/B/id:        <recipient>\0<reason>\0 ...
// Every write is durable before the call returns: an fsync of the file (and,
// for new names, of the directory), or for preprocessing, removal and
// WriteDoneByte's callers one syncfs(2) of the queue's file system for a
// whole group. Failures are temporary Statuses, except a
// malformed file, which is permanent.
#ifndef YUBIN_LIB_QUEUE_MESSAGE_STATE_H_
#define YUBIN_LIB_QUEUE_MESSAGE_STATE_H_

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/boot_id.h"
#include "lib/base/status.h"
#include "lib/queue/bounce_message.h"
#include "lib/queue/envelope.h"
#include "lib/queue/layout.h"
#include "lib/queue/recipient_split.h"
#include "lib/queue/spare_files.h"

namespace yubin::queue {

// Envelope files hold at most kMaxRecipients of at most 1002 bytes.
inline constexpr size_t kMaxStateFileBytes = 32u << 20;

struct MessageInfo {
  int64_t birth = 0;
  std::string sender;
};

struct RecipientRecord {
  off_t offset = 0;  // of the state byte
  bool done = false;
  std::string recipient;
  std::string delivery;  // "local@domain" for local, the recipient for remote
};

// Turns todo/B/id into info/B/id and local/B/id and/or remote/B/id, then
// removes todo/B/id (PreprocessMessages for one message). Safe to repeat
// after a crash at any point.
Status PreprocessMessage(const std::string& queue_dir, MessageId id,
                         const RecipientRules& rules);

// What preprocessing wrote for a message, as ReadMessageInfo and
// ReadRecipients would read it back.
struct PreprocessedMessage {
  MessageInfo info;
  std::vector<RecipientRecord> local, remote;
};

// PreprocessMessage for several messages as one group: every info, local
// and remote file is written in place (a crash before the todo/ file is gone
// means the work is done again over it), then one sync, then every todo/
// file is removed, without a sync: the removals are durable with the
// caller's next SyncFileSystem (yubin-send syncs in the same pass of its
// loop whenever a result or a removal needs it). A crash before that
// preprocesses the messages again, which repeats deliveries made meanwhile
// (the same window as a result not yet durable); with drop_bounce_records
// (yubin-send's scans of all of todo/, which find what a crash left) the
// failures recorded meanwhile are dropped with them, so their recipients
// are tried again rather than bounced twice. One status per id, in order.
// With spares, the files are placed from and the todo/ files retired to
// the spare files (spare_files.h) instead of created and unlinked. With
// parsed, (*parsed)[i] is what was written for ids[i] when its status is
// ok, so the caller need not read the files back.
std::vector<Status> PreprocessMessages(const std::string& queue_dir,
                                       const std::vector<MessageId>& ids,
                                       const RecipientRules& rules,
                                       SpareFiles* spares = nullptr,
                                       bool drop_bounce_records = false,
                                       std::vector<PreprocessedMessage>* parsed = nullptr);

// What todo/B/id says, its recipients split, without writing anything: for
// a message yubin-send delivers straight from todo/ (docs/queue.md,
// "Straight from todo/"), or preprocesses with PreprocessRead. Offsets are
// set once the files are written. A message injected in an earlier boot of
// the machine (its check record names another boot_id, or the boot is
// unknown) must match that record first: one torn by a crash before its
// injection was acknowledged is removed (todo/ first) and reported as a
// permanent failure; one whose content cannot be read stays (temporary).
Result<PreprocessedMessage> ReadTodo(const std::string& queue_dir, MessageId id,
                                     const RecipientRules& rules,
                                     const std::string& boot = CurrentBootId());

// Ok when the envelope file (its whole text, parsed as env) and the content
// file mess/B/id are the ones env's check record describes; permanent when
// they are not (or the content file is missing), temporary when the content
// could not be read.
Status CheckWhole(const std::string& queue_dir, MessageId id, std::string_view file,
                  const QueuedEnvelope& env);

// PreprocessMessages for messages the caller has read with ReadTodo:
// (*messages)[i] is written for ids[i] and gets its offsets.
std::vector<Status> PreprocessRead(const std::string& queue_dir,
                                   const std::vector<MessageId>& ids,
                                   std::vector<PreprocessedMessage>* messages,
                                   SpareFiles* spares = nullptr,
                                   bool drop_bounce_records = false);

// Writes info/B/id and local/B/id and/or remote/B/id from state (each
// recipient T or D as state has it), one sync, then retires todo/B/id: a
// message taken straight from todo/ gets the files of a preprocessed one,
// with what happened meanwhile. The recipients' offsets in state are set
// to those of the written files.
Status WriteMessageState(const std::string& queue_dir, MessageId id,
                         PreprocessedMessage* state, SpareFiles* spares = nullptr);

Result<MessageInfo> ReadMessageInfo(const std::string& queue_dir, MessageId id);

// The records of local/B/id or remote/B/id; an empty list when the file does
// not exist.
Result<std::vector<RecipientRecord>> ReadRecipients(const std::string& queue_dir,
                                                    QueueArea area, MessageId id);

// Writes 'D' over the state byte at offset and fsyncs.
Status MarkRecipientDone(const std::string& queue_dir, QueueArea area,
                         MessageId id, off_t offset);
// The same without the fsync: durable only after the caller's
// SyncFileSystem(queue_dir) returns ok.
Status WriteDoneByte(const std::string& queue_dir, QueueArea area, MessageId id,
                     off_t offset);

// Sets the file's mtime: the time of the channel's next attempt.
Status SetNextAttempt(const std::string& queue_dir, QueueArea area, MessageId id,
                      time_t when);
// The mtime of the file, or 0 if it does not exist.
time_t NextAttempt(const std::string& queue_dir, QueueArea area, MessageId id);

Status AppendBounceRecord(const std::string& queue_dir, MessageId id,
                          std::string_view recipient, std::string_view reason);
// The failures recorded for id; empty if there is no bounce file.
Result<std::vector<BounceFailure>> ReadBounceRecords(const std::string& queue_dir,
                                                     MessageId id);
// Removes bounce/B/id (after the bounce was injected) durably.
Status RemoveBounceRecords(const std::string& queue_dir, MessageId id);

// The start of mess/B/id, at most max_bytes + 1 bytes (so a caller can tell
// that it was cut).
Result<std::string> ReadMessageHead(const std::string& queue_dir, MessageId id,
                                    size_t max_bytes);

// RemoveMessages for one message: todo, local, remote, bounce, info, the
// hold mark (hold_mark.h) and finally mess, so a crash leaves a state the
// manager or the cleanup resumes.
Status RemoveMessage(const std::string& queue_dir, MessageId id);
// RemoveMessage for several messages as one group: their todo, local,
// remote, bounce and info files go, one sync, then their hold marks and
// mess/ files (no sync after: a mess/ file that comes back after a crash has
// nothing left that names it, and the cleanup removes it). One status per
// id, in order. With spares, the files (mess/ too, still last) are retired
// there instead of unlinked. sync_status, when given, gets the result of
// the sync, which also makes durable whatever the caller wrote before.
// With files, (*files)[i] says which of ids[i]'s files can exist (a caller
// that knows saves looking for the others); mess/ always goes.
// recycle_mess false: mess/ is unlinked, never made a spare, because a
// delivery the manager gave up on may still be reading it (a new message
// must not get its inode while it does).
struct MessageFiles {
  bool todo = true, local = true, remote = true, bounce = true, info = true;
  bool recycle_mess = true;
};
std::vector<Status> RemoveMessages(const std::string& queue_dir,
                                   const std::vector<MessageId>& ids,
                                   SpareFiles* spares = nullptr,
                                   Status* sync_status = nullptr,
                                   const std::vector<MessageFiles>* files = nullptr);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_MESSAGE_STATE_H_
