// supervised_dir.h: a throwaway service directory run by a real supervisor
// (Debian's s6-supervise or daemontools' supervise), for interop tests.
//
//   SupervisedDir sv(Supervisor::kS6, "exec sleep 1000\n");
//   ASSERT_TRUE(sv.Start());
//   ASSERT_TRUE(sv.WaitFor([](const ServiceStatus& st) { return st.pid != 0; }));
//   ... run yubin's svc/svstat against sv.dir() ...
//   // destructor: "exit when down" to the supervisor, waits, kills leftovers
#ifndef YUBIN_TESTS_SUPERVISED_DIR_H_
#define YUBIN_TESTS_SUPERVISED_DIR_H_

#include <functional>
#include <string>

#include "supervise/status_record.h"
#include "tests/harness/harness.h"

namespace yubin::testing {

enum class Supervisor { kS6, kDaemontools };

inline constexpr char kS6Supervise[] = "/usr/bin/s6-supervise";
inline constexpr char kS6Svc[] = "/usr/bin/s6-svc";
inline constexpr char kS6Svstat[] = "/usr/bin/s6-svstat";
inline constexpr char kDaemontoolsSupervise[] = "/usr/bin/supervise";
inline constexpr char kDaemontoolsSvc[] = "/usr/bin/svc";
inline constexpr char kDaemontoolsSvstat[] = "/usr/bin/svstat";

class SupervisedDir {
 public:
  // run_body follows "#!/bin/sh\n" in ./run.
  SupervisedDir(Supervisor which, const std::string& run_body);
  ~SupervisedDir();

  const std::string& dir() const { return dir_; }
  // Starts the supervisor and waits until it has written its status.
  bool Start();
  // Waits (up to 10 s) until the status record satisfies pred.
  bool WaitFor(const std::function<bool(const supervise::ServiceStatus&)>& pred);
  supervise::ServiceStatus Status();
  // Asks the supervisor to exit once the service is down and waits for it.
  bool Stop();

 private:
  Supervisor which_;
  std::string dir_;
  ChildProcess supervisor_;
  bool stopped_ = false;
};

// yubin's clients under test.
inline std::string OurSvc() { return RunfilePath("cmd/svc/svc"); }
inline std::string OurSvstat() { return RunfilePath("cmd/svstat/svstat"); }
inline std::string OurSvok() { return RunfilePath("cmd/svok/svok"); }

inline bool IsUp(const supervise::ServiceStatus& st) { return st.pid != 0; }
inline bool IsDown(const supervise::ServiceStatus& st) { return st.pid == 0; }

// True when the Debian peer binaries are installed.
bool HaveS6();
bool HaveDaemontools();

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_SUPERVISED_DIR_H_
