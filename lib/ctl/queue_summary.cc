#include "lib/ctl/queue_summary.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "lib/ctl/service_health.h"
#include "lib/queue/layout.h"

namespace yubin::ctl {
namespace {

struct AreaText {
  const char* area;
  const char* meaning;
};

// In the order a message passes through them.
constexpr AreaText kAreaTexts[] = {
    {"intd", "being written by yubin-queue"},
    {"todo", "queued, not yet taken by the queue manager"},
    {"info", "being delivered by the queue manager"},
    {"local", "with local recipients pending"},
    {"remote", "with remote recipients pending"},
    {"bounce", "with a bounce being prepared"},
};

}  // namespace

Result<QueueSummary> SummarizeQueue(const std::string& root, int64_t now_unix) {
  QueueSummary s;
  std::string qdir = queue::QueueDir(root);
  for (queue::QueueArea area : queue::kAllAreas) {
    std::string name(queue::AreaName(area));
    uint64_t n = 0;
    Status st = queue::ForEachMessage(qdir, area, [&](queue::MessageId id) {
      ++n;
      if (area != queue::QueueArea::kMess) return;
      struct stat sb;
      if (stat(queue::MessagePath(qdir, area, id).c_str(), &sb) != 0) return;
      int64_t age = std::max<int64_t>(0, now_unix - sb.st_mtim.tv_sec);
      if (!s.has_oldest || age > s.oldest_age_seconds) {
        s.has_oldest = true;
        s.oldest_age_seconds = age;
        s.oldest_id = id;
      }
    });
    if (!st.ok()) return st;
    s.counts[name] = n;
  }
  return s;
}

std::string FormatQueueSummary(const QueueSummary& s) {
  auto count = [&](const std::string& area) {
    auto it = s.counts.find(area);
    return it == s.counts.end() ? uint64_t{0} : it->second;
  };
  std::string out = "messages " + std::to_string(count("mess"));
  if (s.has_oldest) {
    out += " (oldest " + FormatDuration(s.oldest_age_seconds) + " old, id " +
           std::to_string(s.oldest_id) + ")";
  }
  out += "\n";
  for (const AreaText& a : kAreaTexts) {
    std::string n = std::to_string(count(a.area));
    std::string area = a.area;
    area.append(8 - std::min<size_t>(8, area.size()), ' ');
    n.insert(0, 7 - std::min<size_t>(7, n.size()), ' ');
    out += "  " + area + n + "  " + a.meaning + "\n";
  }
  return out;
}

}  // namespace yubin::ctl
