// own_directory.h: where the running program is installed.
//
//   std::string queue = OwnDirectory() + "yubin-queue";
//
// The directory of /proc/self/exe with a trailing '/', or "" when it cannot
// be read.
#ifndef YUBIN_LIB_BASE_OWN_DIRECTORY_H_
#define YUBIN_LIB_BASE_OWN_DIRECTORY_H_

#include <string>

namespace yubin {

std::string OwnDirectory();

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_OWN_DIRECTORY_H_
