#include "lib/ctl/service_health.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "supervise/status_record.h"

namespace yubin::ctl {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool HasReader(const std::string& fifo) {
  int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::vector<std::string> ListServices(const std::string& service_dir) {
  std::vector<std::string> names;
  DIR* d = opendir(service_dir.c_str());
  if (d == nullptr) return names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    if (IsDirectory(service_dir + "/" + name)) names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& name : names) {
    out.push_back(name);
    if (IsDirectory(service_dir + "/" + name + "/log")) out.push_back(name + "/log");
  }
  return out;
}

bool Supervised(const std::string& dir) {
  struct stat st;
  std::string ok = dir + "/supervise/ok";
  if (stat(ok.c_str(), &st) == 0) return HasReader(ok);
  return HasReader(dir + "/supervise/control");
}

ServiceRow ReadServiceRow(const std::string& service_dir, const std::string& name,
                          int64_t now_unix) {
  ServiceRow row;
  row.name = name;
  std::string dir = service_dir + "/" + name;
  struct stat st;
  row.needs_ready = stat((dir + "/notification-fd").c_str(), &st) == 0;
  row.supervised = Supervised(dir);
  if (!row.supervised) return row;
  Result<supervise::ServiceStatus> status = supervise::ReadServiceStatus(dir);
  if (!status.ok()) {
    row.error = status.status().message();
    return row;
  }
  row.pid = status->pid;
  row.up = status->pid != 0 && !status->finishing;
  row.ready = row.up && status->ready && status->layout == supervise::StatusLayout::kS6;
  row.want_up = status->want_up;
  row.seconds = std::max<int64_t>(0, now_unix - status->stamp.UnixSeconds());
  return row;
}

std::vector<ServiceRow> ReadTree(const std::string& service_dir, int64_t now_unix) {
  std::vector<ServiceRow> rows;
  for (const std::string& name : ListServices(service_dir)) {
    rows.push_back(ReadServiceRow(service_dir, name, now_unix));
  }
  return rows;
}

bool AllHealthy(const std::vector<ServiceRow>& rows) {
  if (rows.empty()) return false;
  return std::all_of(rows.begin(), rows.end(), [](const ServiceRow& r) { return r.healthy(); });
}

std::string FormatDuration(int64_t s) {
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  }
  return buf;
}

std::string FormatStatusTable(const std::vector<ServiceRow>& rows) {
  size_t width = 7;
  for (const ServiceRow& r : rows) width = std::max(width, r.name.size());
  width += 2;
  std::string out = Pad("SERVICE", width) + "STATE  PID      FOR      READY  HEALTH\n";
  for (const ServiceRow& r : rows) {
    std::string state = !r.supervised ? "-" : r.up ? "up" : "down";
    std::string pid = r.up ? std::to_string(r.pid) : "-";
    std::string for_ = r.supervised && r.error.empty() ? FormatDuration(r.seconds) : "-";
    std::string ready = !r.needs_ready ? "-" : r.ready ? "yes" : "no";
    std::string health = "ok";
    if (!r.error.empty()) {
      health = "unreadable status: " + r.error;
    } else if (!r.supervised) {
      health = "not supervised";
    } else if (!r.up) {
      health = r.want_up ? "down, starting" : "down (svc -d)";
    } else if (r.needs_ready && !r.ready) {
      health = "not ready";
    }
    out += Pad(r.name, width) + Pad(state, 7) + Pad(pid, 9) + Pad(for_, 9) + Pad(ready, 7) +
           health + "\n";
  }
  return out;
}

}  // namespace yubin::ctl
