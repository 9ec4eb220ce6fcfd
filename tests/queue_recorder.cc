// queue_recorder: a test stand-in for the queue program, speaking the
// qmail-queue interface (message on fd 0, envelope on fd 1).
//
//   QUEUE_RECORDER_DIR=/tmp/q QMAILQUEUE=.../queue_recorder yubin-smtpd
//
// Reads the whole message and the whole envelope; only when the envelope is
// complete ("F...\0" "T...\0"... "\0") does it store DIR/N.msg and DIR/N.env
// (written under a temporary name, then renamed, .env last) and print
// "queued N" on stderr. A file DIR/exit-code holding a number makes it read
// everything and exit with that code without storing anything (the queue
// failing). An incomplete envelope exits 91, a read error 54, a write error
// 53, no QUEUE_RECORDER_DIR 55.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

bool ReadAll(int fd, std::string* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

bool EnvelopeComplete(const std::string& env) {
  if (env.empty() || env[0] != 'F') return false;
  size_t pos = env.find('\0');
  if (pos == std::string::npos) return false;
  ++pos;
  int recipients = 0;
  while (pos < env.size() && env[pos] == 'T') {
    size_t end = env.find('\0', pos);
    if (end == std::string::npos) return false;
    pos = end + 1;
    ++recipients;
  }
  return recipients > 0 && pos + 1 == env.size() && env[pos] == '\0';
}

bool WriteFile(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  bool ok = write(fd, data.data(), data.size()) ==
            static_cast<ssize_t>(data.size());
  ok = (fsync(fd) == 0) && ok;
  ok = (close(fd) == 0) && ok;
  return ok && rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main() {
  std::string message, envelope;
  if (!ReadAll(0, &message)) return 54;
  if (!ReadAll(1, &envelope)) return 54;
  const char* dir = std::getenv("QUEUE_RECORDER_DIR");
  if (dir == nullptr) return 55;
  if (FILE* f = std::fopen((std::string(dir) + "/exit-code").c_str(), "r")) {
    int code = 81;
    if (std::fscanf(f, "%d", &code) != 1) code = 81;
    std::fclose(f);
    return code;
  }
  if (!EnvelopeComplete(envelope)) return 91;
  std::string id = std::to_string(getpid());
  std::string base = std::string(dir) + "/" + id;
  if (!WriteFile(base + ".msg", message)) return 53;
  if (!WriteFile(base + ".env", envelope)) return 53;
  std::fprintf(stderr, "queued %s\n", id.c_str());
  return 0;
}
