// unique_name.h: Maildir file names that never collide.
//
//   std::string name = MaildirUniqueName();
//   // "1764300000.M123456P4242Q7R9f2c1a0b3d4e5f60.mail"
//
// The name is time.pid/sequence/random.host: seconds, then M<microseconds>
// P<pid> Q<per-process sequence> R<64 random bits>, then the host name with
// '/' and ':' written as \057 and \072 (as Maildir readers expect). Two
// processes on one host differ in pid (or, after pid reuse, in time and
// random bits); one process never repeats a sequence number; two hosts differ
// in host name. Never fails: if the kernel's random source is unavailable
// the random part falls back to a hash of time and address.
#ifndef YUBIN_LIB_DELIVER_UNIQUE_NAME_H_
#define YUBIN_LIB_DELIVER_UNIQUE_NAME_H_

#include <string>

namespace yubin::deliver {

std::string MaildirUniqueName();

// The host part used in names: gethostname() with '/' -> "\057" and
// ':' -> "\072"; "localhost" if gethostname fails.
std::string MaildirHostPart();

}  // namespace yubin::deliver

#endif  // YUBIN_LIB_DELIVER_UNIQUE_NAME_H_
