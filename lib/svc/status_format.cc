#include "lib/svc/status_format.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

namespace yubin::svc {
namespace {

int64_t SecondsSince(const Tai64n& stamp, int64_t now_unix) {
  int64_t d = now_unix - stamp.UnixSeconds();
  return d < 0 ? 0 : d;
}

bool IsS6(const supervise::ServiceStatus& st) {
  return st.layout == supervise::StatusLayout::kS6;
}

}  // namespace

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev != nullptr) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(sig);
}

std::string JsonString(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string FormatStatusLine(const std::string& dir, const ServiceView& view,
                             int64_t now_unix) {
  std::string line = dir + ": ";
  if (!view.supervised) return line + "supervise not running";
  const supervise::ServiceStatus& st = view.status;
  bool up = st.pid != 0;
  if (up) line += "up (pid " + std::to_string(st.pid) + ") ";
  else line += "down ";
  line += std::to_string(SecondsSince(st.stamp, now_unix)) + " seconds";
  if (up && !view.normally_up) line += ", normally down";
  if (!up && view.normally_up) line += ", normally up";
  if (up && st.paused) line += ", paused";
  if (st.want_known && !up && st.want_up) line += ", want up";
  if (st.want_known && up && !st.want_up) line += ", want down";
  if (IsS6(st)) {
    if (st.finishing) line += ", finishing";
    if (st.ready) {
      line += ", ready " +
              std::to_string(SecondsSince(st.ready_stamp, now_unix)) + " seconds";
    }
  }
  return line;
}

std::string FormatStatusJson(const std::string& dir, const ServiceView& view,
                             int64_t now_unix) {
  std::string j = "{\"dir\":" + JsonString(dir);
  if (!view.supervised) return j + ",\"supervised\":false}";
  const supervise::ServiceStatus& st = view.status;
  bool up = st.pid != 0;
  bool s6 = IsS6(st);
  auto flag = [](bool b) { return b ? std::string("true") : std::string("false"); };
  j += ",\"supervised\":true";
  j += std::string(",\"layout\":\"") + (s6 ? "s6" : "daemontools") + "\"";
  j += ",\"up\":" + flag(up);
  j += ",\"pid\":" + std::to_string(st.pid);
  j += ",\"seconds\":" + std::to_string(SecondsSince(st.stamp, now_unix));
  j += ",\"paused\":" + flag(st.paused);
  j += ",\"want\":";
  j += st.want_known ? (st.want_up ? "\"up\"" : "\"down\"") : "null";
  j += ",\"normally_up\":" + flag(view.normally_up);
  j += ",\"notification_fd\":" + flag(view.notification_fd);
  if (s6) {
    j += ",\"ready\":" + flag(st.ready);
    j += ",\"ready_seconds\":";
    j += st.ready ? std::to_string(SecondsSince(st.ready_stamp, now_unix)) : "null";
    j += ",\"finishing\":" + flag(st.finishing);
    int w = st.wstat;
    if (WIFEXITED(w)) {
      j += ",\"exit_code\":" + std::to_string(WEXITSTATUS(w)) +
           ",\"signal\":null";
    } else if (WIFSIGNALED(w)) {
      j += ",\"exit_code\":null,\"signal\":" + JsonString(SignalName(WTERMSIG(w)));
    } else {
      j += ",\"exit_code\":null,\"signal\":null";
    }
  } else {
    // daemontools' record holds no readiness and no exit status.
    j += ",\"ready\":null,\"ready_seconds\":null,\"finishing\":null"
         ",\"exit_code\":null,\"signal\":null";
  }
  return j + "}";
}

bool ServiceHealthy(const ServiceView& view) {
  if (!view.supervised || view.status.pid == 0) return false;
  if (!view.notification_fd) return true;
  return view.status.layout == supervise::StatusLayout::kS6 && view.status.ready;
}

}  // namespace yubin::svc
