#include "lib/svc/wait_condition.h"

namespace yubin::svc {

bool WaitCondition::Start(const supervise::ServiceStatus& status) {
  bool up = status.pid != 0;
  switch (wait_) {
    case WaitFor::kUp: satisfied_ = up; break;
    case WaitFor::kReady: satisfied_ = up && status.ready; break;
    case WaitFor::kDown: satisfied_ = !up; break;
    case WaitFor::kReallyDown: satisfied_ = !up && !status.finishing; break;
    case WaitFor::kRestart:
    case WaitFor::kRestartReady:
      seen_down_ = !up;
      break;
    case WaitFor::kNone: satisfied_ = true; break;
  }
  return satisfied_;
}

bool WaitCondition::OnEvent(char event) {
  if (satisfied_) return true;
  if (event == 'x') {
    supervisor_gone_ = true;
    return false;
  }
  switch (wait_) {
    case WaitFor::kUp: satisfied_ = event == 'u'; break;
    case WaitFor::kReady: satisfied_ = event == 'U'; break;
    case WaitFor::kDown: satisfied_ = event == 'd'; break;
    case WaitFor::kReallyDown: satisfied_ = event == 'D'; break;
    case WaitFor::kRestart:
    case WaitFor::kRestartReady:
      if (event == 'd') {
        seen_down_ = true;
      } else if (seen_down_) {
        satisfied_ = event == (wait_ == WaitFor::kRestart ? 'u' : 'U');
      }
      break;
    case WaitFor::kNone: satisfied_ = true; break;
  }
  return satisfied_;
}

}  // namespace yubin::svc
