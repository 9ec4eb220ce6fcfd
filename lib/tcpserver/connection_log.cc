#include "lib/tcpserver/connection_log.h"

namespace yubin::tcpserver {

std::string SafeLogText(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < kMaxLogFieldBytes; ++i) {
    if (i == text.size()) return out;
    char c = text[i];
    if (c < 33 || c > 126 || c == '%' || c == ':') c = '?';
    out += c;
  }
  // As ucspi-tcp: a field of kMaxLogFieldBytes or more ends in "...".
  return out + "...";
}

std::string StatusLine(unsigned children, unsigned limit) {
  return "tcpserver: status: " + std::to_string(children) + "/" +
         std::to_string(limit) + "\n";
}

std::string PidFromLine(pid_t pid, const std::string& remote_ip) {
  return "tcpserver: pid " + std::to_string(pid) + " from " + remote_ip + "\n";
}

std::string EndLine(pid_t pid, int wait_status) {
  return "tcpserver: end " + std::to_string(pid) + " status " +
         std::to_string(wait_status) + "\n";
}

std::string DecisionLine(bool deny, pid_t pid,
                         const std::optional<std::string>& local_host,
                         const Endpoint& local,
                         const std::optional<std::string>& remote_host,
                         const Endpoint& remote,
                         const std::optional<std::string>& remote_info) {
  std::string line = deny ? "tcpserver: deny " : "tcpserver: ok ";
  line += std::to_string(pid) + " ";
  if (local_host) line += SafeLogText(*local_host);
  line += ":" + local.ip + ":" + std::to_string(local.port) + " ";
  if (remote_host) line += SafeLogText(*remote_host);
  line += ":" + remote.ip + ":";
  if (remote_info) line += SafeLogText(*remote_info);
  line += ":" + std::to_string(remote.port) + "\n";
  return line;
}

}  // namespace yubin::tcpserver
