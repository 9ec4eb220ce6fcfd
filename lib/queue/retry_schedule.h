// retry_schedule.h: when a temporarily failed delivery is tried again.
//
//   time_t next = NextRetry(birth, now, kLocalRetryConstant);
//
// qmail-send's schedule: with age = now - birth (seconds since the message
// was queued), the next attempt is at birth + (floor(sqrt(age)) + c)^2. For
// local deliveries c = 10: attempts at about 0, 100 s, 400 s, 900 s, 1600 s,
// ... (the gap grows by 200 s each time), 78 attempts in 7 days; remote
// deliveries use c = 20 (first retry after 400 s). A clock that went
// backwards (now < birth) counts as age 0. Pure arithmetic; never fails.
#ifndef YUBIN_LIB_QUEUE_RETRY_SCHEDULE_H_
#define YUBIN_LIB_QUEUE_RETRY_SCHEDULE_H_

#include <ctime>

namespace yubin::queue {

inline constexpr time_t kLocalRetryConstant = 10;
inline constexpr time_t kRemoteRetryConstant = 20;
// Default control/queuelifetime: a week, as qmail.
inline constexpr time_t kDefaultQueueLifetime = 604800;

time_t NextRetry(time_t birth, time_t now, time_t c);

// True when a temporary failure at now is to be turned into a permanent one.
bool LifetimeExpired(time_t birth, time_t now, time_t lifetime);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_RETRY_SCHEDULE_H_
