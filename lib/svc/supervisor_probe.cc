#include "lib/svc/supervisor_probe.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "lib/base/fd.h"

namespace yubin::svc {

Result<bool> SupervisorRunning(const std::string& service_dir) {
  struct stat st;
  if (stat(service_dir.c_str(), &st) != 0) {
    return Status::FromErrno("unable to open " + service_dir, errno);
  }
  for (const char* fifo : {"/supervise/ok", "/supervise/control"}) {
    std::string path = service_dir + fifo;
    UniqueFd fd(OpenRetry(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.valid()) return true;
    if (errno == ENXIO) return false;
    if (errno != ENOENT) return Status::FromErrno("unable to open " + path, errno);
  }
  return false;
}

}  // namespace yubin::svc
