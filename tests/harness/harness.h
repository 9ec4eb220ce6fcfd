// harness.h: what integration tests need to run yubin's real binaries.
//
//   std::string bin = RunfilePath("cmd/tai64nlocal/tai64nlocal");
//   ProcessResult r = RunProcess({bin}, {.input = "@400000000000000a00000000 x\n"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//
//   ChildProcess server;
//   ASSERT_TRUE(server.Start({bin, "arg"}));
//   ASSERT_TRUE(WaitUntil([&] { return FileExists(dir + "/ready"); }, 5s));
//
// Every wait has a deadline; a process that outlives it is killed with its
// whole process group, and ChildProcess kills what it started on destruction.
#ifndef YUBIN_TESTS_HARNESS_HARNESS_H_
#define YUBIN_TESTS_HARNESS_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace yubin::testing {

using namespace std::chrono_literals;

// Path of a file built or shipped by this workspace, e.g. "cmd/svc/svc".
std::string RunfilePath(std::string_view workspace_path);
// A fresh directory under the test's temporary directory.
std::string MakeTempDir(std::string_view prefix = "t");
bool FileExists(const std::string& path);
std::string ReadFileOrEmpty(const std::string& path);
void WriteFileOrDie(const std::string& path, std::string_view content,
                    int mode = 0644);

struct RunOptions {
  std::string input;                   // written to the child's stdin
  std::vector<std::string> env;        // "NAME=value" added or replaced
  std::string cwd;                     // empty: the test's own
  std::chrono::milliseconds timeout = 60s;
};

struct ProcessResult {
  int exit_code = -1;   // -1 unless the process exited
  int term_signal = 0;  // the signal that killed it, if any
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv to completion (or the timeout) collecting stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const RunOptions& options = {});
// Runs "sh -c script".
ProcessResult RunShell(const std::string& script,
                       const RunOptions& options = {});

// A background child in its own process group; killed (group-wide, SIGKILL)
// when the object is destroyed, unless it was already reaped.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // stdout and stderr go to the given files (empty: /dev/null).
  bool Start(const std::vector<std::string>& argv,
             const RunOptions& options = {}, const std::string& out_file = "",
             const std::string& err_file = "");
  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int sig);
  void SignalGroup(int sig);
  // Waits for exit; returns the wait status, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int wstatus_ = 0;
};

// Polls pred every few milliseconds until it holds or the deadline passes.
bool WaitUntil(const std::function<bool()>& pred,
               std::chrono::milliseconds deadline);

// A TCP port on ip that was free a moment ago.
int PickFreePort(const char* ip = "127.0.0.1");

// True when this process is real root (not a user-namespace root that
// cannot chown, as inside Bazel's sandbox).
bool HaveRealRoot();

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_HARNESS_HARNESS_H_
