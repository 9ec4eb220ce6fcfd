#include "lib/base/yubin_root.h"

#include <cstdlib>

namespace yubin {

std::string YubinRoot() {
  const char* env = std::getenv("YUBIN_ROOT");
  std::string root = (env && *env) ? env : kDefaultYubinRoot;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

}  // namespace yubin
