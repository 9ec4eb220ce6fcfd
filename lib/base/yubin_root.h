// yubin_root.h: where yubin's state lives.
//
//   std::string control = YubinRoot() + "/control";
//
// Every program finds the root (control/ queue/ alias/ users/ service/ bin/)
// through the YUBIN_ROOT environment variable, default /var/yubin.
#ifndef YUBIN_LIB_BASE_YUBIN_ROOT_H_
#define YUBIN_LIB_BASE_YUBIN_ROOT_H_

#include <string>

namespace yubin {

inline constexpr char kDefaultYubinRoot[] = "/var/yubin";

// $YUBIN_ROOT when set and not empty, else /var/yubin; no trailing slash.
std::string YubinRoot();

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_YUBIN_ROOT_H_
