// control_letter.h: the one-byte commands written to supervise/control.
//
//   std::optional<Command> c = DecodeControlLetter('d');   // {kDown}
//   std::optional<Command> s = DecodeControlLetter('h');   // {kSignal, SIGHUP}
//
// daemontools' letters (u d o p c h a i t k x) and s6's additions (q 1 2 y b
// O r). Any other byte decodes to nullopt and is ignored by supervise, as the
// real supervisors ignore it.
#ifndef YUBIN_SUPERVISE_CONTROL_LETTER_H_
#define YUBIN_SUPERVISE_CONTROL_LETTER_H_

#include <optional>

namespace yubin::supervise {

enum class CommandKind {
  kUp,          // u: want up; start if down
  kDown,        // d: want down; down-signal (TERM) then CONT
  kOnce,        // o: want down; start if down (runs once)
  kOnceAtMost,  // O: want down; do not start, do not kill
  kPause,       // p: STOP
  kContinue,    // c: CONT
  kSignal,      // h a i t k q 1 2 y b: send `signal` to the service
  kExit,        // x: exit once the service is down
  kRestart,     // r: down-signal now; restarted if wanted up
};

struct Command {
  CommandKind kind;
  int signal = 0;  // for kSignal only
  friend bool operator==(const Command&, const Command&) = default;
};

std::optional<Command> DecodeControlLetter(char letter);

}  // namespace yubin::supervise

#endif  // YUBIN_SUPERVISE_CONTROL_LETTER_H_
