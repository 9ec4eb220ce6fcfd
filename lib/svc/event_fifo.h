// event_fifo.h: a subscription to a service's event/ directory (s6 fifodir).
//
//   Result<EventFifo> sub = EventFifo::Subscribe("/service/smtpd");
//   poll({sub->fd(), POLLIN}, ...);
//   Result<std::string> events = sub->ReadEvents();   // e.g. "dDu"
//   // the FIFO is removed when sub goes out of scope
//
// Protocol (what s6-supervise and yubin's supervise expect): the listener
// creates a FIFO named ".ftrig1:@<24 hex TAI64N>:<6 random>" (mode 0600) in
// DIR/event, opens it for reading and writing (so it never sees end of
// file), then renames it without the dot. The supervisor opens every
// "ftrig1:@..." FIFO there O_WRONLY|O_NONBLOCK and writes one byte per
// event. Fails with a temporary status when the directory is missing or the
// FIFO cannot be made.
#ifndef YUBIN_LIB_SVC_EVENT_FIFO_H_
#define YUBIN_LIB_SVC_EVENT_FIFO_H_

#include <string>

#include "lib/base/fd.h"
#include "lib/base/status.h"

namespace yubin::svc {

// Bytes read per ReadEvents call; a supervisor writes a handful at most.
inline constexpr size_t kEventReadSize = 256;

class EventFifo {
 public:
  static Result<EventFifo> Subscribe(const std::string& service_dir);
  // The FIFO's visible name, for an s6-supervise-compatible listener:
  // "ftrig1:@" + 24 hex digits + ":" + 6 letters or digits.
  static std::string MakeName();

  EventFifo(EventFifo&& other) noexcept;
  EventFifo& operator=(EventFifo&&) = delete;
  EventFifo(const EventFifo&) = delete;
  ~EventFifo();

  int fd() const { return read_fd_.get(); }
  const std::string& path() const { return path_; }
  // Whatever event bytes are waiting (possibly none).
  Result<std::string> ReadEvents();

 private:
  EventFifo() = default;
  UniqueFd read_fd_;
  UniqueFd write_fd_;
  std::string path_;  // empty once moved from
};

}  // namespace yubin::svc

#endif  // YUBIN_LIB_SVC_EVENT_FIFO_H_
