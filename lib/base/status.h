// status.h: Status and Result<T>, yubin's error values, and the exit-code API.
//
//   Result<int> r = ParsePort(text);
//   if (!r.ok()) return r.status();          // propagate
//   return ExitCodeFor(status);              // 0, 100 or 111 at the edge
//
// Three kinds of outcome, as in qmail: ok; permanent (bad input, usage: 100);
// temporary (system trouble, try again later: 111). A Status also keeps the
// errno it was made from, so messages read "what: strerror".
#ifndef YUBIN_LIB_BASE_STATUS_H_
#define YUBIN_LIB_BASE_STATUS_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace yubin {

enum class StatusKind { kOk, kPermanent, kTemporary };

// The whole error API of a yubin command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitPermanent = 100;  // also usage errors
inline constexpr int kExitTemporary = 111;  // also system errors

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status Permanent(std::string message) {
    return Status(StatusKind::kPermanent, std::move(message), 0);
  }
  static Status Temporary(std::string message) {
    return Status(StatusKind::kTemporary, std::move(message), 0);
  }
  // A temporary failure from a system call: message is "what: strerror(err)".
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return kind_ == StatusKind::kOk; }
  StatusKind kind() const { return kind_; }
  bool permanent() const { return kind_ == StatusKind::kPermanent; }
  bool temporary() const { return kind_ == StatusKind::kTemporary; }
  const std::string& message() const { return message_; }
  int error_number() const { return errno_; }  // 0 unless from FromErrno

  // Prefixes context: Status::FromErrno("open", ENOENT).Wrap("control/me")
  // reads "control/me: open: No such file or directory".
  Status Wrap(std::string_view context) const;

 private:
  Status(StatusKind kind, std::string message, int err)
      : kind_(kind), message_(std::move(message)), errno_(err) {}
  StatusKind kind_ = StatusKind::kOk;
  std::string message_;
  int errno_ = 0;
};

// 0 for ok, 100 for permanent, 111 for temporary.
int ExitCodeFor(const Status& status);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {  // NOLINT
    if (std::get<Status>(value_).ok()) std::abort();  // an ok Status has no value
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(value_);
  }
  T& value() & {
    if (!ok()) std::abort();
    return std::get<T>(value_);
  }
  const T& value() const& {
    if (!ok()) std::abort();
    return std::get<T>(value_);
  }
  T&& value() && {
    if (!ok()) std::abort();
    return std::get<T>(std::move(value_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_STATUS_H_
