#include "tests/inject_fixture.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace yubin::testing {

InjectFixture::InjectFixture() {
  root = MakeTempDir("root");
  record_dir = MakeTempDir("record");
  mkdir((root + "/control").c_str(), 0755);
  WriteFileOrDie(root + "/control/me", "box.example.org\n");
  WriteFileOrDie(root + "/control/defaultdomain", "example.org\n");
}

RunOptions InjectFixture::Options(std::string input,
                                  std::vector<std::string> env) const {
  RunOptions o;
  o.input = std::move(input);
  o.env = {"YUBIN_ROOT=" + root,
           "QMAILQUEUE=" + RunfilePath("tests/inject_queue_recorder"),
           "INJECT_RECORDER_DIR=" + record_dir,
           "NAME=", "MAILNAME=", "QMAILNAME=", "QMAILUSER=", "MAILUSER=",
           "QMAILHOST=", "MAILHOST=", "QMAILSUSER=", "QMAILSHOST="};
  for (std::string& e : env) o.env.push_back(std::move(e));
  o.timeout = 20s;
  return o;
}

RecordedMessage InjectFixture::Recorded() const {
  RecordedMessage r;
  if (!FileExists(record_dir + "/envelope")) return r;
  r.queued = true;
  r.message = ReadFileOrEmpty(record_dir + "/message");
  std::string env = ReadFileOrEmpty(record_dir + "/envelope");
  size_t pos = 0;
  while (pos < env.size()) {
    size_t nul = env.find('\0', pos);
    if (nul == std::string::npos) {
      r.envelope_error = "unterminated record";
      return r;
    }
    std::string rec = env.substr(pos, nul - pos);
    pos = nul + 1;
    if (rec.empty()) {
      if (pos != env.size()) r.envelope_error = "bytes after the final NUL";
      return r;
    }
    if (rec[0] == 'F' && pos == rec.size() + 1) {
      r.sender = rec.substr(1);
    } else if (rec[0] == 'T') {
      r.recipients.push_back(rec.substr(1));
    } else {
      r.envelope_error = "bad record " + rec;
      return r;
    }
  }
  r.envelope_error = "no final NUL";
  return r;
}

std::string InjectFixture::Field(const std::string& message,
                                 const std::string& name) {
  std::string prefix = "\n" + name + ": ";
  std::string text = "\n" + message;
  size_t end_of_header = text.find("\n\n");
  size_t at = text.find(prefix);
  if (at == std::string::npos || at >= end_of_header) return "";
  size_t start = at + prefix.size();
  return text.substr(start, text.find('\n', start) - start);
}

std::string InjectFixture::Login() {
  struct passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : std::to_string(getuid());
}

}  // namespace yubin::testing

namespace yubin::testing {

std::string InjectFixture::DefaultFrom(const std::string& host) {
  struct passwd* pw = getpwuid(getuid());
  std::string gecos = pw && pw->pw_gecos ? pw->pw_gecos : "";
  gecos = gecos.substr(0, gecos.find(','));
  std::string address = Login() + "@" + host;
  return gecos.empty() ? address : gecos + " <" + address + ">";
}

}  // namespace yubin::testing
