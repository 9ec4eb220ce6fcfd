// inject_fixture.h: a temporary yubin root and a recording queue program
// for the yubin-inject and sendmail integration tests.
//
//   InjectFixture f;                       // ROOT/control/me = box.example.org
//   ProcessResult r = RunProcess({bin, "joe"}, f.Options("Subject: x\n\nhi\n"));
//   Recorded got = f.Recorded();           // sender, recipients, message
//
// Options() sets YUBIN_ROOT, QMAILQUEUE (tests/inject_queue_recorder) and
// INJECT_RECORDER_DIR, and empties NAME, MAILNAME and QMAILNAME so the
// test's own environment cannot change the From: field.
#ifndef YUBIN_TESTS_INJECT_FIXTURE_H_
#define YUBIN_TESTS_INJECT_FIXTURE_H_

#include <string>
#include <vector>

#include "tests/harness/harness.h"

namespace yubin::testing {

struct RecordedMessage {
  bool queued = false;  // the recorder ran and saw an envelope
  std::string sender;
  std::vector<std::string> recipients;
  std::string message;
  std::string envelope_error;  // set when the envelope is malformed
};

class InjectFixture {
 public:
  InjectFixture();
  RunOptions Options(std::string input, std::vector<std::string> env = {}) const;
  RecordedMessage Recorded() const;
  // The value of the first header field called name ("" if none).
  static std::string Field(const std::string& message, const std::string& name);
  // The login name of the user running the test (getpwuid).
  static std::string Login();
  // The From: field made for this user at host with no name override: the
  // gecos name (up to its first comma; this test does not use '&') then
  // the address, or the bare address when the gecos name is empty.
  static std::string DefaultFrom(const std::string& host);

  std::string root;
  std::string record_dir;
};

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_INJECT_FIXTURE_H_
