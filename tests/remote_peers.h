// remote_peers.h: the real peers yubin-remote is tested against, on loopback.
//
//   Dnsmasq dns;
//   ASSERT_TRUE(dns.Start({"--mx-host=a.test,mx.a.test,10",
//                          "--host-record=mx.a.test,127.0.0.1"}));
//   SmtpSink sink;
//   ASSERT_TRUE(sink.Start("127.0.0.1", {"-r", "RCPT"}));
//   ... control/dnsservers = dns.server(), smtproutes "a.test::" + port
//   EXPECT_EQ(sink.Dumps().size(), 1u);
//
// Dnsmasq is Debian's dnsmasq on a port picked at run time (never 53),
// answering only from its command line (--local=/test/: other .test names
// are NXDOMAIN). SmtpSink is Postfix's smtp-sink, dumping each transaction
// into its own file. BlackholeListener is a listening socket whose backlog
// is full, so a connect to it hangs (the kernel drops the SYN); QuietListener
// accepts connections (in the kernel) and never says anything.
#ifndef YUBIN_TESTS_REMOTE_PEERS_H_
#define YUBIN_TESTS_REMOTE_PEERS_H_

#include <string>
#include <vector>

#include "tests/harness/harness.h"

namespace yubin::testing {

class Dnsmasq {
 public:
  bool Start(const std::vector<std::string>& records);
  // The `dnsservers` line for it.
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  ChildProcess proc_;
  int port_ = -1;
  std::string log_;
};

class SmtpSink {
 public:
  // ip is "127.0.0.1" or "::1"; extra are smtp-sink options.
  bool Start(const std::string& ip, const std::vector<std::string>& extra = {},
             int port = 0);
  int port() const { return port_; }
  // Transactions received, as the dump files' contents.
  std::vector<std::string> Dumps() const;
  // What smtp-sink said on stderr (for failure messages).
  std::string Log() const { return ReadFileOrEmpty(log_); }

 private:
  ChildProcess proc_;
  int port_ = -1;
  std::string dir_;
  std::string log_;
};

// A listening socket on ip:port that never accepts. backlog_full makes a
// further connect hang; otherwise connects succeed and nothing is said.
class SilentListener {
 public:
  ~SilentListener();
  bool Start(const std::string& ip, int port, bool backlog_full);

 private:
  int listen_fd_ = -1;
  int filler_fd_ = -1;
};

// The records of a yubin-remote report: "r...", ..., "K...".
std::vector<std::string> SplitReport(const std::string& out);

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_REMOTE_PEERS_H_
