// Runs tools/demo against the programs Bazel built (tools/demo --built DIR):
// install into a throwaway root, start, mail by SMTP and sendmail into a
// Maildir, an mbox and the alias home, status, SIGKILL of smtpd, logs, stop,
// clean up. tools/test also runs tools/demo itself, building as a user would.
#include <gtest/gtest.h>

#include "tests/harness/harness.h"
#include "tests/tree_fixture.h"

namespace yubin::testing {
namespace {

TEST(Demo, EveryStepWorksAndNothingIsLeft) {
  std::string built = MakeTempDir("built");
  std::string error;
  ASSERT_TRUE(CopyBuiltPrograms(built, &error)) << error;
  ProcessResult before = RunShell("ls -d /tmp/yubin-demo.* 2>/dev/null | wc -l");
  ProcessResult r = RunProcess({RunfilePath("tools/demo"), "--built", built}, {.timeout = 180s});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* step : {"== Starting the supervision tree", "kim's Maildir",
                           "lee's mbox", "postmaster -> ~alias", "smtpd is back with pid",
                           "== Stopping the tree", "done: every step worked"}) {
    EXPECT_NE(r.out.find(step), std::string::npos) << "no '" << step << "' in\n" << r.out;
  }
  ProcessResult after = RunShell("ls -d /tmp/yubin-demo.* 2>/dev/null | wc -l");
  EXPECT_EQ(after.out, before.out) << "the demo left its directory behind";
}

}  // namespace
}  // namespace yubin::testing
