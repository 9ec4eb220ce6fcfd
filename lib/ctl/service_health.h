// service_health.h: the state of every service of a yubin tree, for
// `yubinctl status` and `yubinctl start`'s wait.
//
//   std::vector<ServiceRow> rows = ReadTree("/var/yubin/service", time(nullptr));
//   std::fputs(FormatStatusTable(rows).c_str(), stdout);
//   return AllHealthy(rows) ? 0 : 1;
//
// A service is healthy when a supervisor runs it (its supervise/ok or
// supervise/control FIFO has a reader), it is up, and, when it has a
// notification-fd file, it has reported readiness: the same rule as
// `svstat -c`. Works for yubin's supervise and s6-supervise (35-byte
// status) and daemontools' supervise (18-byte status, never "ready").
// Never fails: what cannot be read shows as a row with an error.
#ifndef YUBIN_LIB_CTL_SERVICE_HEALTH_H_
#define YUBIN_LIB_CTL_SERVICE_HEALTH_H_

#include <cstdint>
#include <string>
#include <vector>

namespace yubin::ctl {

struct ServiceRow {
  std::string name;  // "smtpd", "smtpd/log"
  bool supervised = false;
  bool up = false;
  uint64_t pid = 0;
  int64_t seconds = 0;  // in the current state
  bool needs_ready = false;  // has notification-fd
  bool ready = false;
  bool want_up = false;
  std::string error;  // status unreadable
  bool healthy() const { return supervised && up && (!needs_ready || ready) && error.empty(); }
};

// The service directories under service_dir, sorted, each followed by its
// log/ when it has one: "local", "local/log", "send", ... Names starting with
// '.' are skipped, as svscan does.
std::vector<std::string> ListServices(const std::string& service_dir);

// Whether a supervisor holds dir's supervise/ok (or supervise/control) open.
bool Supervised(const std::string& dir);

ServiceRow ReadServiceRow(const std::string& service_dir, const std::string& name,
                          int64_t now_unix);

std::vector<ServiceRow> ReadTree(const std::string& service_dir, int64_t now_unix);

bool AllHealthy(const std::vector<ServiceRow>& rows);

// "1h02m", "3m05s", "42s".
std::string FormatDuration(int64_t seconds);

// One header line and one line per row, columns aligned:
//   SERVICE    STATE  PID    FOR    READY  HEALTH
//   smtpd      up     4242   3m05s  yes    ok
std::string FormatStatusTable(const std::vector<ServiceRow>& rows);

}  // namespace yubin::ctl

#endif  // YUBIN_LIB_CTL_SERVICE_HEALTH_H_
