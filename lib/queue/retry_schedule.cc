// retry_schedule.cc: see retry_schedule.h.
#include "lib/queue/retry_schedule.h"

#include <cmath>

namespace yubin::queue {

time_t NextRetry(time_t birth, time_t now, time_t c) {
  time_t age = now > birth ? now - birth : 0;
  time_t root = static_cast<time_t>(std::sqrt(static_cast<double>(age)));
  while (root * root > age) --root;  // exact floor despite rounding
  while ((root + 1) * (root + 1) <= age) ++root;
  time_t n = root + c;
  return birth + n * n;
}

bool LifetimeExpired(time_t birth, time_t now, time_t lifetime) {
  return now >= birth + lifetime;
}

}  // namespace yubin::queue
