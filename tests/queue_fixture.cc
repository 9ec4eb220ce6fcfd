#include "tests/queue_fixture.h"

#include <dirent.h>
#include <sys/stat.h>
#include <gtest/gtest.h>

#include "lib/queue/envelope.h"
#include "lib/queue/layout.h"

namespace yubin::testing {

QueueRoot MakeQueueRoot(const std::string& base) {
  QueueRoot r;
  r.root = base.empty() ? MakeTempDir("root") : base;
  mkdir(r.root.c_str(), 0755);
  r.queue = queue::QueueDir(r.root);
  Status s = queue::CreateQueueLayout(r.queue);
  EXPECT_TRUE(s.ok()) << s.message();
  return r;
}

std::string Envelope(const std::string& sender,
                     const std::vector<std::string>& recipients) {
  std::string e = "F" + sender + '\0';
  for (const std::string& r : recipients) e += "T" + r + '\0';
  e += '\0';
  return e;
}

std::string YubinQueuePath() {
  return RunfilePath("cmd/yubin-queue/yubin-queue");
}

ProcessResult Inject(const QueueRoot& root, const std::string& message,
                     const std::string& envelope,
                     const std::vector<std::string>& extra_env,
                     const std::string& shell_prefix) {
  std::string dir = MakeTempDir("inject");
  WriteFileOrDie(dir + "/message", message);
  WriteFileOrDie(dir + "/envelope", envelope);
  RunOptions options;
  options.env = {"YUBIN_ROOT=" + root.root, "BIN=" + YubinQueuePath(),
                 "DIR=" + dir};
  options.env.insert(options.env.end(), extra_env.begin(), extra_env.end());
  return RunShell(shell_prefix +
                      " exec $WRAP \"$BIN\" <\"$DIR/message\" 1<\"$DIR/envelope\"",
                  options);
}

QueueSnapshot Snapshot(const std::string& queue_dir) {
  QueueSnapshot s;
  if (DIR* d = opendir(queue::TmpDir(queue_dir).c_str())) {
    while (struct dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++s.tmp;
    }
    closedir(d);
  }
  for (queue::QueueArea area : queue::kAllAreas) {
    size_t& count = s.areas[std::string(queue::AreaName(area))];
    Status st = queue::ForEachMessage(queue_dir, area,
                                      [&](queue::MessageId) { ++count; });
    EXPECT_TRUE(st.ok()) << st.message();
  }
  Status st = queue::ForEachMessage(
      queue_dir, queue::QueueArea::kTodo, [&](queue::MessageId id) {
        QueuedMessage m;
        m.id = id;
        m.content = ReadFileOrEmpty(
            queue::MessagePath(queue_dir, queue::QueueArea::kMess, id));
        std::string env = ReadFileOrEmpty(
            queue::MessagePath(queue_dir, queue::QueueArea::kTodo, id));
        Result<queue::QueuedEnvelope> parsed = queue::ParseQueuedEnvelope(env);
        EXPECT_TRUE(parsed.ok()) << "todo " << id << ": "
                                 << parsed.status().message();
        if (parsed.ok()) {
          m.sender = parsed->sender;
          m.recipients = parsed->recipients;
        }
        s.queued.push_back(m);
      });
  EXPECT_TRUE(st.ok()) << st.message();
  return s;
}

}  // namespace yubin::testing
