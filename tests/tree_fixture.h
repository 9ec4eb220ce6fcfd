// tree_fixture.h: a whole yubin system (service tree, queue, delivery) in a
// throwaway directory, for end-to-end tests.
//
//   TreeFixture tree;
//   ASSERT_TRUE(tree.Install()) << tree.error();
//   ProcessResult r = tree.Run({"yubinctl", "--root", tree.root(), "start"});
//   ASSERT_TRUE(tree.SendMail({{1, "kim@tree.example"}}));
//   EXPECT_TRUE(tree.WaitDelivered(tree.home("kim"), {1}));
//
// Install() copies the programs built by Bazel into DIR/bin (they find their
// siblings beside themselves), the service templates into
// DIR/share/yubin/services, and runs yubin-mkroot and yubin-mktree in user
// mode with smtpd on 127.0.0.1 and a free port. DIR is under /tmp so that,
// when the test runs as root, everything can run as the unprivileged user
// `nobody` (through setuidgid): user mode means one user, and only a user
// other than root can own the mailboxes. users/assign maps kim (Maildir) and
// lee (mbox ./Mailbox) to homes under ROOT/home. The destructor stops the
// tree (SIGTERM to svscan, then SIGKILL to anything of the tree left) and
// removes DIR.
#ifndef YUBIN_TESTS_TREE_FIXTURE_H_
#define YUBIN_TESTS_TREE_FIXTURE_H_

#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/harness/harness.h"

namespace yubin::testing {

inline constexpr char kTreeDomain[] = "tree.example";

// The programs a tree needs, as runfile paths ("cmd/svc/svc").
const std::vector<std::string>& TreePrograms();

// Copies every TreePrograms() binary into dir/bin and the templates into
// dir/share/yubin/services. False (with *error) on failure.
bool CopyBuiltPrograms(const std::string& dir, std::string* error);

class TreeFixture {
 public:
  TreeFixture() = default;
  ~TreeFixture();
  TreeFixture(const TreeFixture&) = delete;
  TreeFixture& operator=(const TreeFixture&) = delete;

  bool Install();
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }
  const std::string& root() const { return root_; }
  const std::string& bin() const { return bin_; }
  std::string service(const std::string& name) const { return root_ + "/service/" + name; }
  std::string home(const std::string& user) const { return root_ + "/home/" + user; }
  int port() const { return port_; }

  // Runs a program from bin/ (argv[0] is its name) as the tree's user, with
  // YUBIN_ROOT and PATH set.
  ProcessResult Run(std::vector<std::string> argv, RunOptions options = {}) const;
  // The same in the background (for s6-svscan); argv[0] is looked up in
  // bin/ first, then $PATH.
  bool Start(ChildProcess& child, std::vector<std::string> argv) const;
  // argv prefixed with setuidgid when running as root.
  std::vector<std::string> AsTreeUser(std::vector<std::string> argv) const;

  // Sends each (number, recipient) as one message with "Subject: m<number>"
  // over SMTP, many per session; a message not acknowledged with 250 is sent
  // again in a new session, until deadline. False when some never was.
  bool SendMail(const std::vector<std::pair<int, std::string>>& messages,
                std::chrono::milliseconds deadline = 60s);
  // The message numbers in a Maildir's new/ (or, for an mbox file, its
  // Subject lines).
  std::multiset<int> DeliveredTo(const std::string& maildir_or_mbox) const;
  // Waits until every number in want has arrived; sends the queue manager
  // SIGALRM (retry now) now and then while waiting.
  bool WaitDelivered(const std::string& maildir_or_mbox, const std::set<int>& want,
                     std::chrono::milliseconds deadline = 60s) const;
  // svstat -c over every service and log.
  bool Healthy() const;
  bool WaitHealthy(std::chrono::milliseconds deadline = 30s) const;
  // The pid of the supervise process running service (e.g. "smtpd"), or 0.
  pid_t SupervisePid(const std::string& name) const;

 private:
  std::string error_;
  std::string dir_;
  std::string root_;
  std::string bin_;
  int port_ = 0;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  bool as_nobody_ = false;
};

}  // namespace yubin::testing

#endif  // YUBIN_TESTS_TREE_FIXTURE_H_
