// connection.h: a TCP connection to an SMTP server, every step with a timeout.
//
//   bool timed_out = false;
//   Result<UniqueFd> fd = ConnectTcp({false, "192.0.2.1"}, 25, "", 60000,
//                                    &timed_out);
//   Connection conn(std::move(*fd), 1200000);
//   Status s = conn.Write("EHLO me\r\n");
//   std::string line;
//   Status r = conn.ReadLine(&line);     // without CRLF
//
// Every write and every read waits at most timeout_ms for progress (qmail's
// timeoutremote), then fails with a temporary "timed out" status; end of
// file and errors are temporary too. Lines longer than kMaxServerLineBytes
// are cut there (the rest up to the LF is discarded), never buffered whole.
#ifndef YUBIN_LIB_SMTPCLIENT_CONNECTION_H_
#define YUBIN_LIB_SMTPCLIENT_CONNECTION_H_

#include <string>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/base/status.h"
#include "lib/dns/resolver.h"

namespace yubin::smtpclient {

inline constexpr size_t kMaxServerLineBytes = 4096;
inline constexpr size_t kReadChunkBytes = 8192;

// Non-blocking connect with a deadline; bind_ip (numeric, may be empty)
// selects the local address (control/outgoingip). *timed_out is set when
// the deadline passed (as opposed to a refusal or another error).
Result<UniqueFd> ConnectTcp(const dns::IpAddress& ip, int port,
                            const std::string& bind_ip, int timeout_ms,
                            bool* timed_out);

class Connection {
 public:
  Connection(UniqueFd fd, int timeout_ms);
  Status Write(std::string_view data);
  Status ReadLine(std::string* line);
  int fd() const { return fd_.get(); }
  void Close() { fd_.reset(); }

 private:
  Status WaitFor(short events, const char* what);
  UniqueFd fd_;
  int timeout_ms_;
  std::string buffer_;
  size_t start_ = 0;
};

}  // namespace yubin::smtpclient

#endif  // YUBIN_LIB_SMTPCLIENT_CONNECTION_H_
