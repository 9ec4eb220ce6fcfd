// program.h: a `|command` delivery: sh -c in the home directory, the message
// on stdin, the exit code deciding the outcome (qmail-command semantics).
//
//   ProgramOutcome o = DeliverToProgram("exec procmail", "/home/kim", env,
//                                       "Return-Path: <a@b>\n...", fd);
//   switch (o.kind) { case ProgramOutcomeKind::kOk: ... }
//
// Exit 0 = delivered; 99 = delivered, and no further .qmail line runs;
// 100, 64, 65, 70, 76, 77, 78 and 112 = permanent failure; any other exit, a
// signal or a timeout = temporary failure. The program's stdout and stderr
// (the first kMaxChildOutput bytes) are the failure text.
#ifndef YUBIN_LIB_DELIVER_PROGRAM_H_
#define YUBIN_LIB_DELIVER_PROGRAM_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::deliver {

enum class ProgramOutcomeKind { kOk, kOkStop, kPermanent, kTemporary };

struct ProgramOutcome {
  ProgramOutcomeKind kind = ProgramOutcomeKind::kTemporary;
  std::string text;  // the program's output, or why it could not run
};

// Maps a waitpid status to the outcome kind (no text).
ProgramOutcomeKind ClassifyProgramExit(int wait_status);

ProgramOutcome DeliverToProgram(const std::string& command,
                                const std::string& home,
                                const std::vector<std::string>& env,
                                std::string_view header_lines, int message_fd);

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_PROGRAM_H_
