// exec_child.h: the last step of softlimit, setuidgid, envuidgid, envdir.
//
//   ExecChild(argv + child_index);   // does not return
//
// Runs argv[0] (searched in $PATH as execvp does) with argv; if that fails
// prints "prog: fatal: unable to run NAME: reason" and exits 111.
#ifndef YUBIN_LIB_CHAIN_EXEC_CHILD_H_
#define YUBIN_LIB_CHAIN_EXEC_CHILD_H_

namespace yubin::chain {

[[noreturn]] void ExecChild(char** argv);

}  // namespace yubin::chain

#endif  // YUBIN_LIB_CHAIN_EXEC_CHILD_H_
