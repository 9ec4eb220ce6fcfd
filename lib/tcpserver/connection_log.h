// connection_log.h: tcpserver's -v lines, in ucspi-tcp 0.88's exact words,
// so that existing log parsers keep working.
//
//   tcpserver: status: 1/40
//   tcpserver: pid 28374 from 127.0.0.1
//   tcpserver: ok 28374 localhost:127.0.0.1:25 remote.host:10.0.0.7::51234
//   tcpserver: deny 28375 :127.0.0.1:25 :10.0.0.8::51240
//   tcpserver: end 28374 status 0
// plus yubin's own refusals (-C, -L), printed unless -q:
//   tcpserver: refuse 10.0.0.7 per-IP concurrency limit 2
//   tcpserver: refuse 10.0.0.7 per-IP rate limit 30/minute
// Host names and remote info pass through SafeLogText as in ucspi-tcp:
// bytes outside '!'..'~' and the characters '%' and ':' become '?', and
// text of kMaxLogFieldBytes or more is cut there and ends in "..." (even
// when exactly that long, as Debian's tcpserver -v shows).
#ifndef YUBIN_LIB_TCPSERVER_CONNECTION_LOG_H_
#define YUBIN_LIB_TCPSERVER_CONNECTION_LOG_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "lib/tcpserver/address.h"

namespace yubin::tcpserver {

inline constexpr size_t kMaxLogFieldBytes = 100;

std::string SafeLogText(std::string_view text);
std::string StatusLine(unsigned children, unsigned limit);
std::string PidFromLine(pid_t pid, const std::string& remote_ip);
std::string EndLine(pid_t pid, int wait_status);
std::string DecisionLine(bool deny, pid_t pid,
                         const std::optional<std::string>& local_host,
                         const Endpoint& local,
                         const std::optional<std::string>& remote_host,
                         const Endpoint& remote,
                         const std::optional<std::string>& remote_info);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_CONNECTION_LOG_H_
