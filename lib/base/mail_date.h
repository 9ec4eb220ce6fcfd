// mail_date.h: dates as mail headers write them (RFC 5322 section 3.3).
//
//   std::string d = FormatMailDate(time(nullptr));  // "Sat, 28 Nov 2026 12:40:35 +0900"
//
// Local time with its numeric offset, English day and month names whatever
// the locale. Used by Received:, Date: and bounce headers.
#ifndef YUBIN_LIB_BASE_MAIL_DATE_H_
#define YUBIN_LIB_BASE_MAIL_DATE_H_

#include <ctime>
#include <string>

namespace yubin {

std::string FormatMailDate(time_t t);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_MAIL_DATE_H_
