// yubin-smtpd's memory does not grow with the client's input: a 64 MiB
// message and a 64 MiB command line pass through a process whose peak
// resident size stays under a small fixed bound.
#include <sys/resource.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

constexpr size_t kHugeBytes = size_t{64} << 20;
// Peak RSS allowed for smtpd (its children, the discarding queue program
// included); a buffered 64 MiB message could never fit.
constexpr long kMaxRssKib = 16 * 1024;

long PeakChildRssKib() {
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_maxrss;
}

TEST(SmtpdMemoryTest, HugeMessageAndHugeLineStayBounded) {
  std::string root = MakeTempDir("smtpd-mem");
  RunShell("mkdir -p '" + root + "/control' && echo example.com > '" + root +
           "/control/rcpthosts'");
  std::string discard = root + "/discard";
  WriteFileOrDie(discard,
                 "#!/bin/sh\ncat > /dev/null; cat <&1 > /dev/null; exit 0\n",
                 0755);
  // The input is made by a pipeline so that no process (this test
  // included) ever holds it: 64 MiB of command line, then 64 MiB of message
  // in lines of 1000 bytes.
  std::string script =
      "{ printf 'EHLO c.test\\r\\nNOOP '; head -c " +
      std::to_string(kHugeBytes) +
      " /dev/zero | tr '\\0' n; printf '\\r\\nMAIL FROM:<a@sender.test>\\r\\n"
      "RCPT TO:<u@example.com>\\r\\nDATA\\r\\n'; "
      "awk 'BEGIN { l = sprintf(\"%998s\", \"\"); gsub(/ /, \"x\", l);"
      " for (i = 0; i < " + std::to_string(kHugeBytes / 1000) +
      "; i++) printf \"%s\\r\\n\", l }'; printf '.\\r\\nQUIT\\r\\n'; } | '" +
      RunfilePath("cmd/yubin-smtpd/yubin-smtpd") + "'";
  ASSERT_LT(PeakChildRssKib(), kMaxRssKib) << "nothing big ran yet";
  ProcessResult r =
      RunShell(script, {.env = {"YUBIN_ROOT=" + root, "QMAILQUEUE=" + discard,
                                "DATABYTES=0", "GREETDELAY=0"},
                        .timeout = 120s});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("500 5.5.2 line too long"), r.out.find("500 "))
      << "exactly one rejected line: " << r.out;
  EXPECT_NE(r.out.find("500 5.5.2 line too long"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("250 2.0.0 ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("221 2.0.0"), std::string::npos) << r.out;
  long peak = PeakChildRssKib();
  std::printf("peak RSS of yubin-smtpd and its queue program: %ld KiB\n", peak);
  EXPECT_LT(peak, kMaxRssKib) << "got " << peak << " KiB, want under "
                              << kMaxRssKib;
}

}  // namespace
}  // namespace yubin::testing
