#include "lib/base/mail_date.h"

#include <cstdio>

namespace yubin {

std::string FormatMailDate(time_t t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};
  struct tm tm_buf;
  if (localtime_r(&t, &tm_buf) == nullptr) return "Thu, 1 Jan 1970 00:00:00 +0000";
  long offset_minutes = tm_buf.tm_gmtoff / 60;
  char sign = offset_minutes < 0 ? '-' : '+';
  if (offset_minutes < 0) offset_minutes = -offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
                kDays[tm_buf.tm_wday % 7], tm_buf.tm_mday,
                kMonths[tm_buf.tm_mon % 12], tm_buf.tm_year + 1900,
                tm_buf.tm_hour, tm_buf.tm_min, tm_buf.tm_sec, sign,
                offset_minutes / 60, offset_minutes % 60);
  return buf;
}

}  // namespace yubin
