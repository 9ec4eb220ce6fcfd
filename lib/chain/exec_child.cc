#include "lib/chain/exec_child.h"

#include <unistd.h>

#include <string>

#include "lib/base/fatal.h"

namespace yubin::chain {

void ExecChild(char** argv) {
  execvp(argv[0], argv);
  FatalErrno(std::string("unable to run ") + argv[0]);
}

}  // namespace yubin::chain
