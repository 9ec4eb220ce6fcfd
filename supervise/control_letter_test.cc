#include "supervise/control_letter.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

namespace yubin::supervise {
namespace {

TEST(ControlLetterTest, StateLetters) {
  struct Case {
    char letter;
    CommandKind kind;
  } cases[] = {
      {'u', CommandKind::kUp},         {'d', CommandKind::kDown},
      {'o', CommandKind::kOnce},       {'O', CommandKind::kOnceAtMost},
      {'p', CommandKind::kPause},      {'c', CommandKind::kContinue},
      {'x', CommandKind::kExit},       {'r', CommandKind::kRestart},
  };
  for (const Case& c : cases) {
    std::optional<Command> got = DecodeControlLetter(c.letter);
    ASSERT_TRUE(got.has_value()) << "letter " << c.letter;
    EXPECT_EQ(got->kind, c.kind) << "letter " << c.letter;
    EXPECT_EQ(got->signal, 0) << "letter " << c.letter;
  }
}

TEST(ControlLetterTest, SignalLetters) {
  struct Case {
    char letter;
    int signal;
  } cases[] = {
      {'h', SIGHUP},  {'a', SIGALRM}, {'i', SIGINT},   {'t', SIGTERM},
      {'k', SIGKILL}, {'q', SIGQUIT}, {'1', SIGUSR1},  {'2', SIGUSR2},
      {'y', SIGWINCH}, {'b', SIGABRT},
  };
  for (const Case& c : cases) {
    std::optional<Command> got = DecodeControlLetter(c.letter);
    ASSERT_TRUE(got.has_value()) << "letter " << c.letter;
    EXPECT_EQ(got->kind, CommandKind::kSignal) << "letter " << c.letter;
    EXPECT_EQ(got->signal, c.signal)
        << "letter " << c.letter << ": got " << got->signal << ", want "
        << c.signal;
  }
}

TEST(ControlLetterTest, EveryOtherByteIsIgnored) {
  const std::string known = "udoOpcxrhaitkq12yb";
  int decoded = 0;
  for (int b = 0; b < 256; ++b) {
    char letter = static_cast<char>(b);
    bool want = known.find(letter) != std::string::npos;
    bool got = DecodeControlLetter(letter).has_value();
    EXPECT_EQ(got, want) << "byte " << b;
    decoded += got;
  }
  EXPECT_EQ(decoded, static_cast<int>(known.size()));
}

}  // namespace
}  // namespace yubin::supervise
