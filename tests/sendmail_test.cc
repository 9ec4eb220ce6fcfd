// sendmail (and mailq, newaliases, mail(1) through it), run as a program,
// with the recording queue program.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/harness/harness.h"
#include "tests/inject_fixture.h"

namespace yubin::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Sendmail() { return RunfilePath("cmd/sendmail/sendmail"); }

// A copy of sendmail in its own directory, for the modes that run a program
// beside it (-bs, -bp) and for the names mailq and newaliases.
std::string InstalledCopy(const std::string& dir) {
  ProcessResult cp = RunProcess({"cp", Sendmail(), dir + "/sendmail"});
  EXPECT_EQ(cp.exit_code, 0) << cp.err;
  EXPECT_EQ(symlink("sendmail", (dir + "/mailq").c_str()), 0);
  EXPECT_EQ(symlink("sendmail", (dir + "/newaliases").c_str()), 0);
  return dir + "/sendmail";
}

TEST(SendmailTest, DashTTakesRecipientsFromHeaderAndStripsBcc) {
  InjectFixture f;
  ProcessResult r = RunShell(
      "printf 'To: ann@x.org\\nCc: bob\\nBcc: hidden@y.org\\nSubject: hi\\n\\nbody\\n' | " +
          Sendmail() + " -t",
      f.Options(""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RecordedMessage got = f.Recorded();
  ASSERT_TRUE(got.queued);
  EXPECT_EQ(got.envelope_error, "");
  EXPECT_EQ(got.recipients,
            (Strings{"ann@x.org", "bob@box.example.org", "hidden@y.org"}));
  EXPECT_EQ(got.message.find("Bcc"), std::string::npos) << got.message;
  EXPECT_EQ(got.message.find("hidden"), std::string::npos) << got.message;
  EXPECT_EQ(InjectFixture::Field(got.message, "Cc"), "bob@box.example.org");
}

TEST(SendmailTest, EnvelopeSenderAndQualifiedRecipient) {
  InjectFixture f;
  ProcessResult r = RunProcess({Sendmail(), "-f", "a@b.example", "user"},
                               f.Options("Subject: s\n\nx\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RecordedMessage got = f.Recorded();
  EXPECT_EQ(got.sender, "a@b.example");
  EXPECT_EQ(got.recipients, Strings{"user@box.example.org"});
  ProcessResult null_sender = RunProcess({Sendmail(), "-f", "<>", "user"},
                                         f.Options("x\n"));
  ASSERT_EQ(null_sender.exit_code, 0) << null_sender.err;
  EXPECT_EQ(f.Recorded().sender, "");
}

TEST(SendmailTest, FullNameGoesIntoFrom) {
  InjectFixture f;
  ProcessResult r = RunProcess({Sendmail(), "-F", "Cron Daemon", "-odi", "-oem",
                                "-B", "8BITMIME", "-v", "root"},
                               f.Options("Subject: s\n\nx\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(InjectFixture::Field(f.Recorded().message, "From"),
            "Cron Daemon <" + InjectFixture::Login() + "@box.example.org>");
}

TEST(SendmailTest, DotEndsInputUnlessDashI) {
  const std::string input = "Subject: s\n\nfirst\n.\nafter the dot\n";
  InjectFixture dots;
  ASSERT_EQ(RunProcess({Sendmail(), "joe"}, dots.Options(input)).exit_code, 0);
  std::string m = dots.Recorded().message;
  EXPECT_NE(m.find("\nfirst\n"), std::string::npos) << m;
  EXPECT_EQ(m.find("after the dot"), std::string::npos) << "got " << m;
  for (const char* flag : {"-i", "-oi"}) {
    InjectFixture keep;
    ASSERT_EQ(RunProcess({Sendmail(), flag, "joe"}, keep.Options(input)).exit_code, 0);
    std::string k = keep.Recorded().message;
    EXPECT_NE(k.find("\nfirst\n.\nafter the dot\n"), std::string::npos)
        << flag << ": got " << k;
  }
}

TEST(SendmailTest, NewaliasesExplainsAndSucceeds) {
  InjectFixture f;
  std::string dir = MakeTempDir("bin");
  InstalledCopy(dir);
  for (const Strings& argv : {Strings{dir + "/newaliases"}, Strings{Sendmail(), "-bi"}}) {
    ProcessResult r = RunProcess(argv, f.Options(""));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(f.root + "/alias/.qmail-NAME"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("yubin-aliases"), std::string::npos) << r.out;
  }
}

TEST(SendmailTest, TemporaryQueueFailureExits111) {
  InjectFixture f;
  ProcessResult r = RunProcess({Sendmail(), "joe"},
                               f.Options("x\n", {"INJECT_RECORDER_EXIT=71"}));
  EXPECT_EQ(r.exit_code, 111) << r.err;
  EXPECT_NE(r.err.find("sendmail: fatal: queue program exited 71"), std::string::npos)
      << r.err;
}

TEST(SendmailTest, UsageErrors) {
  InjectFixture f;
  ProcessResult unknown = RunProcess({Sendmail(), "-y", "joe"}, f.Options("x\n"));
  EXPECT_EQ(unknown.exit_code, 100);
  EXPECT_NE(unknown.err.find("sendmail: usage: unknown flag -y"), std::string::npos)
      << unknown.err;
  ProcessResult daemon = RunProcess({Sendmail(), "-bd"}, f.Options(""));
  EXPECT_EQ(daemon.exit_code, 100);
  EXPECT_NE(daemon.err.find("yubinctl start"), std::string::npos) << daemon.err;
  ProcessResult none = RunProcess({Sendmail()}, f.Options("Subject: x\n\nx\n"));
  EXPECT_EQ(none.exit_code, 100);
  EXPECT_NE(none.err.find("no recipients"), std::string::npos) << none.err;
  EXPECT_FALSE(f.Recorded().queued);
}

TEST(SendmailTest, DashQSignalsTheSupervisedQueueManager) {
  InjectFixture f;
  ProcessResult absent = RunProcess({Sendmail(), "-q"}, f.Options(""));
  EXPECT_EQ(absent.exit_code, 111);
  EXPECT_NE(absent.err.find("not running under supervision"), std::string::npos)
      << absent.err;
  std::string sup = f.root + "/service/send/supervise";
  ASSERT_EQ(RunProcess({"mkdir", "-p", sup}).exit_code, 0);
  ASSERT_EQ(mkfifo((sup + "/control").c_str(), 0600), 0);
  // Plays the supervisor's part: holds the control FIFO open for reading.
  int fd = open((sup + "/control").c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  ProcessResult r = RunProcess({Sendmail(), "-q"}, f.Options(""));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  char buf[8] = {};
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "a")
      << "want svc -a's command byte on supervise/control";
}

TEST(SendmailTest, ModesRunTheProgramBesideSendmail) {
  InjectFixture f;
  std::string dir = MakeTempDir("bin");
  std::string copy = InstalledCopy(dir);
  ProcessResult no_lister = RunProcess({dir + "/mailq"}, f.Options(""));
  EXPECT_EQ(no_lister.exit_code, 111);
  EXPECT_NE(no_lister.err.find("yubin-qread is not installed next to mailq"),
            std::string::npos)
      << no_lister.err;
  ProcessResult no_smtpd = RunProcess({copy, "-bs"}, f.Options(""));
  EXPECT_EQ(no_smtpd.exit_code, 111);
  EXPECT_NE(no_smtpd.err.find("yubin-smtpd is not installed"), std::string::npos)
      << no_smtpd.err;

  // Stand-ins that show what the real programs are given: argv[0], the
  // environment and sendmail's own stdin/stdout.
  WriteFileOrDie(dir + "/yubin-qread", "#!/bin/sh\necho \"listing by $0\"\n", 0755);
  WriteFileOrDie(dir + "/yubin-smtpd",
                 "#!/bin/sh\necho \"220 RELAYCLIENT=[${RELAYCLIENT-unset}]\"\n"
                 "echo \"$PROTO $TCPREMOTEIP $TCPREMOTEHOST $TCPREMOTEINFO\"\n"
                 "read line; echo \"got $line\"\n",
                 0755);
  ProcessResult list = RunProcess({dir + "/mailq"}, f.Options(""));
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "listing by " + dir + "/yubin-qread\n");
  ProcessResult bp = RunProcess({copy, "-bp"}, f.Options(""));
  EXPECT_EQ(bp.out, list.out);
  ProcessResult smtp = RunProcess({copy, "-bs"}, f.Options("QUIT\r\n"));
  EXPECT_EQ(smtp.exit_code, 0) << smtp.err;
  EXPECT_EQ(smtp.out, "220 RELAYCLIENT=[]\nTCP 127.0.0.1 localhost " +
                          InjectFixture::Login() + "\ngot QUIT\r\n");
  ProcessResult under_tcpserver = RunProcess(
      {copy, "-bs"}, f.Options("QUIT\r\n", {"PROTO=TCP", "TCPREMOTEIP=192.0.2.7",
                                             "TCPREMOTEHOST=", "TCPREMOTEINFO="}));
  EXPECT_EQ(under_tcpserver.out, "220 RELAYCLIENT=[]\nTCP 192.0.2.7  \ngot QUIT\r\n")
      << "the variables tcpserver set are kept";
}

TEST(SendmailTest, MailDashSThroughSendmail) {
  if (!FileExists("/usr/bin/bsd-mailx")) {
    GTEST_SKIP() << "bsd-mailx is not installed (tools/deps.sh installs it)";
  }
  InjectFixture f;
  std::string home = MakeTempDir("home");
  // bsd-mailx reads its sendmail from the "sendmail" variable; MAILRC names
  // the start-up file that sets it; sendwait makes mail wait for sendmail.
  WriteFileOrDie(home + "/mailrc", "set sendmail=" + Sendmail() + "\nset sendwait\n");
  ProcessResult r = RunProcess(
      {"/usr/bin/bsd-mailx", "-s", "hello from mail", "carol"},
      f.Options("a line from mail(1)\n",
                {"HOME=" + home, "MAILRC=" + home + "/mailrc"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(WaitUntil([&] { return f.Recorded().queued; }, 10s))
      << "mail never ran sendmail; stderr: " << r.err;
  RecordedMessage got = f.Recorded();
  EXPECT_EQ(got.recipients, Strings{"carol@box.example.org"});
  EXPECT_EQ(got.sender, InjectFixture::Login() + "@box.example.org");
  EXPECT_EQ(InjectFixture::Field(got.message, "Subject"), "hello from mail");
  EXPECT_EQ(InjectFixture::Field(got.message, "To"), "carol@box.example.org");
  EXPECT_EQ(InjectFixture::Field(got.message, "From"),
            InjectFixture::DefaultFrom("box.example.org"));
  EXPECT_NE(got.message.find("\n\na line from mail(1)\n"), std::string::npos)
      << got.message;
}

}  // namespace
}  // namespace yubin::testing
