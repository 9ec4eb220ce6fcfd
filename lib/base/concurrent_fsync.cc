#include "lib/base/concurrent_fsync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "lib/base/fd.h"

namespace yubin {
namespace {

Status FsyncOne(const SyncTarget& target) {
  if (::fsync(target.fd) != 0) {
    return Status::FromErrno("fsync " + target.name, errno);
  }
  return Status::Ok();
}

}  // namespace

int OpenDirectoryForSync(const std::string& dir) {
  return OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

std::vector<Status> FsyncConcurrently(std::span<const SyncTarget> targets) {
  std::vector<Status> results(targets.size(), Status::Ok());
  std::vector<std::thread> threads;
  threads.reserve(targets.size());
  for (size_t i = 1; i < targets.size(); ++i) {
    try {
      threads.emplace_back([&results, &targets, i] {
        results[i] = FsyncOne(targets[i]);
      });
    } catch (const std::system_error&) {
      results[i] = FsyncOne(targets[i]);
    }
  }
  if (!targets.empty()) results[0] = FsyncOne(targets[0]);
  for (std::thread& t : threads) t.join();
  return results;
}

}  // namespace yubin
