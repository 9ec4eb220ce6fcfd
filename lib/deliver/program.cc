#include "lib/deliver/program.h"

#include <sys/wait.h>

#include "lib/deliver/child_run.h"

namespace yubin::deliver {

ProgramOutcomeKind ClassifyProgramExit(int wait_status) {
  if (!WIFEXITED(wait_status)) return ProgramOutcomeKind::kTemporary;
  switch (WEXITSTATUS(wait_status)) {
    case 0:
      return ProgramOutcomeKind::kOk;
    case 99:
      return ProgramOutcomeKind::kOkStop;
    case 64:   // EX_USAGE
    case 65:   // EX_DATAERR
    case 70:   // EX_SOFTWARE
    case 76:   // EX_PROTOCOL
    case 77:   // EX_NOPERM
    case 78:   // EX_CONFIG
    case 100:
    case 112:
      return ProgramOutcomeKind::kPermanent;
    default:
      return ProgramOutcomeKind::kTemporary;
  }
}

ProgramOutcome DeliverToProgram(const std::string& command,
                                const std::string& home,
                                const std::vector<std::string>& env,
                                std::string_view header_lines, int message_fd) {
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", command};
  spec.cwd = home;
  spec.env = env;
  spec.header_lines = std::string(header_lines);
  spec.message_fd = message_fd;
  Result<ChildResult> r = RunChild(spec);
  ProgramOutcome outcome;
  if (!r.ok()) {
    outcome.kind = ProgramOutcomeKind::kTemporary;
    outcome.text = "unable to run program: " + r.status().message();
    return outcome;
  }
  outcome.text = r->output;
  if (r->timed_out) {
    outcome.kind = ProgramOutcomeKind::kTemporary;
    outcome.text += "program timed out and was killed";
    return outcome;
  }
  outcome.kind = ClassifyProgramExit(r->wait_status);
  if (WIFSIGNALED(r->wait_status)) {
    outcome.text += "program killed by signal " + std::to_string(WTERMSIG(r->wait_status));
  }
  return outcome;
}

}  // namespace yubin::deliver
