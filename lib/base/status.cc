#include "lib/base/status.h"

#include <cstring>

namespace yubin {

Status Status::FromErrno(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  return Status(StatusKind::kTemporary, std::move(message), err);
}

Status Status::Wrap(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(kind_, std::move(message), errno_);
}

int ExitCodeFor(const Status& status) {
  switch (status.kind()) {
    case StatusKind::kOk:
      return kExitOk;
    case StatusKind::kPermanent:
      return kExitPermanent;
    case StatusKind::kTemporary:
      return kExitTemporary;
  }
  return kExitTemporary;
}

}  // namespace yubin
