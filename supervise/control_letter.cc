#include "supervise/control_letter.h"

#include <csignal>

namespace yubin::supervise {

std::optional<Command> DecodeControlLetter(char letter) {
  switch (letter) {
    case 'u': return Command{CommandKind::kUp};
    case 'd': return Command{CommandKind::kDown};
    case 'o': return Command{CommandKind::kOnce};
    case 'O': return Command{CommandKind::kOnceAtMost};
    case 'p': return Command{CommandKind::kPause};
    case 'c': return Command{CommandKind::kContinue};
    case 'x': return Command{CommandKind::kExit};
    case 'r': return Command{CommandKind::kRestart};
    case 'h': return Command{CommandKind::kSignal, SIGHUP};
    case 'a': return Command{CommandKind::kSignal, SIGALRM};
    case 'i': return Command{CommandKind::kSignal, SIGINT};
    case 't': return Command{CommandKind::kSignal, SIGTERM};
    case 'k': return Command{CommandKind::kSignal, SIGKILL};
    case 'q': return Command{CommandKind::kSignal, SIGQUIT};
    case '1': return Command{CommandKind::kSignal, SIGUSR1};
    case '2': return Command{CommandKind::kSignal, SIGUSR2};
    case 'y': return Command{CommandKind::kSignal, SIGWINCH};
    case 'b': return Command{CommandKind::kSignal, SIGABRT};
    default: return std::nullopt;
  }
}

}  // namespace yubin::supervise
