// commands.h: the read-only queue and configuration tools, as called by
// their thin mains.
//
//   return RunQstat(YubinRoot(), 1);               // yubin-qstat
//   return RunQread(YubinRoot(), 1);               // yubin-qread, mailq
//   return RunShowctl(YubinRoot(), json, 1);       // yubin-showctl [-j]
//
// Each writes its report to out_fd and returns the exit code: 0 when all
// was read, 111 when the queue or a file could not be read (qstat and qread
// print nothing then; qread lists the readable messages and warns on stderr
// about each unreadable one; showctl prints everything and warns about each
// unusable control file).
#ifndef YUBIN_LIB_QTOOLS_COMMANDS_H_
#define YUBIN_LIB_QTOOLS_COMMANDS_H_

#include <string>

namespace yubin::qtools {

int RunQstat(const std::string& root, int out_fd);
int RunQread(const std::string& root, int out_fd);
int RunShowctl(const std::string& root, bool json, int out_fd);

// gethostname() as it is, which is what yubin-smtpd and yubin-inject take
// when control/me is missing (yubin-mkroot's lookup of the full name is
// only for the file it writes).
std::string PlainHostName();

}  // namespace yubin::qtools

#endif  // YUBIN_LIB_QTOOLS_COMMANDS_H_
