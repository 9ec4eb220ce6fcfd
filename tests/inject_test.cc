// yubin-inject, run as a program, with the recording queue program.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/harness/harness.h"
#include "tests/inject_fixture.h"

namespace yubin::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Inject() { return RunfilePath("cmd/yubin-inject/yubin-inject"); }

TEST(InjectTest, ArgumentsAreRecipientsAndHeaderIsCompleted) {
  InjectFixture f;
  WriteFileOrDie(f.root + "/control/defaulthost", "example.org\n");
  ProcessResult r = RunProcess(
      {Inject(), "joe", "ann@box"},
      f.Options("Subject: test\nTo: someone@else.org\n\nline one\nline two\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RecordedMessage got = f.Recorded();
  ASSERT_TRUE(got.queued);
  EXPECT_EQ(got.envelope_error, "");
  EXPECT_EQ(got.sender, InjectFixture::Login() + "@example.org");
  EXPECT_EQ(got.recipients, (Strings{"joe@example.org", "ann@box.example.org"}))
      << "arguments only: To: is not a recipient without -t";
  EXPECT_EQ(InjectFixture::Field(got.message, "From"),
            InjectFixture::DefaultFrom("example.org"))
      << got.message;
  EXPECT_NE(InjectFixture::Field(got.message, "Date"), "") << got.message;
  std::string id = InjectFixture::Field(got.message, "Message-ID");
  EXPECT_EQ(id.front(), '<');
  EXPECT_NE(id.find("@example.org>"), std::string::npos) << id;
  EXPECT_NE(got.message.find("\n\nline one\nline two\n"), std::string::npos)
      << got.message;
  EXPECT_EQ(got.message.substr(0, 14), "Subject: test\n");
}

TEST(InjectTest, NoArgumentsTakesHeaderRecipientsAndStripsBcc) {
  InjectFixture f;
  ProcessResult r = RunProcess(
      {Inject()}, f.Options("To: Ann <ann>, bob@x.org\nCc: carl@box\n"
                            "Bcc: secret@y.org\nSubject: s\n\nbody\n.\nmore\n",
                            {"QMAILSUSER=lists", "NAME=Joe Q. Bloggs"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RecordedMessage got = f.Recorded();
  EXPECT_EQ(got.sender, "lists@box.example.org");
  EXPECT_EQ(got.recipients, (Strings{"ann@box.example.org", "bob@x.org",
                                     "carl@box.example.org", "secret@y.org"}));
  EXPECT_EQ(got.message.find("secret"), std::string::npos) << got.message;
  EXPECT_EQ(InjectFixture::Field(got.message, "To"), "Ann <ann@box.example.org>, bob@x.org");
  EXPECT_EQ(InjectFixture::Field(got.message, "From"),
            "\"Joe Q. Bloggs\" <" + InjectFixture::Login() + "@box.example.org>");
  EXPECT_NE(got.message.find("\nbody\n.\nmore\n"), std::string::npos)
      << "yubin-inject does no dot handling: " << got.message;
}

TEST(InjectTest, NoRecipientsIsPermanentAndQueuesNothing) {
  InjectFixture f;
  ProcessResult r = RunProcess({Inject()}, f.Options("Subject: lonely\n\nhi\n"));
  EXPECT_EQ(r.exit_code, 100) << r.err;
  EXPECT_NE(r.err.find("no recipients"), std::string::npos) << r.err;
  EXPECT_FALSE(f.Recorded().queued);
}

TEST(InjectTest, QueueFailuresMapToExitCodes) {
  InjectFixture f;
  ProcessResult temp = RunProcess({Inject(), "joe"},
                                  f.Options("hi\n", {"INJECT_RECORDER_EXIT=53"}));
  EXPECT_EQ(temp.exit_code, 111) << temp.err;
  EXPECT_NE(temp.err.find("yubin-inject: fatal: queue: write error"), std::string::npos)
      << temp.err;
  ProcessResult perm = RunProcess({Inject(), "joe"},
                                  f.Options("hi\n", {"INJECT_RECORDER_EXIT=31"}));
  EXPECT_EQ(perm.exit_code, 100) << perm.err;
  EXPECT_NE(perm.err.find("permanently refused"), std::string::npos) << perm.err;
  ProcessResult missing = RunProcess(
      {Inject(), "joe"}, f.Options("hi\n", {"QMAILQUEUE=" + f.root + "/no-queue"}));
  EXPECT_EQ(missing.exit_code, 111) << missing.err;
  EXPECT_NE(missing.err.find("unable to run the queue program"), std::string::npos)
      << missing.err;
}

TEST(InjectTest, PrintOnlyAndBadInput) {
  InjectFixture f;
  ProcessResult r = RunProcess({Inject(), "-n", "-F", "Ann", "joe"},
                               f.Options("Subject: s\n\nbody\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(InjectFixture::Field(r.out, "From"),
            "Ann <" + InjectFixture::Login() + "@box.example.org>");
  EXPECT_FALSE(f.Recorded().queued) << "-n must not queue";
  ProcessResult bad_to = RunProcess({Inject(), "-t"}, f.Options("To: (oops\n\nx\n"));
  EXPECT_EQ(bad_to.exit_code, 100) << bad_to.err;
  ProcessResult usage = RunProcess({Inject(), "-z"}, f.Options(""));
  EXPECT_EQ(usage.exit_code, 100);
  EXPECT_NE(usage.err.find("unknown flag -z"), std::string::npos) << usage.err;
  ProcessResult help = RunProcess({Inject(), "--help"}, f.Options(""));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: yubin-inject"), std::string::npos);
}

TEST(InjectTest, LargeBodyStreamsThrough) {
  InjectFixture f;
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "line " + std::to_string(i) + "\n";
  ProcessResult r = RunProcess({Inject(), "joe"}, f.Options("Subject: big\n\n" + body));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RecordedMessage got = f.Recorded();
  size_t at = got.message.find("\n\n");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(got.message.substr(at + 2), body);
}

}  // namespace
}  // namespace yubin::testing
