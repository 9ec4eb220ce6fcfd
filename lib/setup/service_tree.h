// service_tree.h: installs yubin's service tree, alias home and boot files
// into a root laid out by MakeRoot (what `yubin-mktree` and tools/install run).
//
//   TreeOptions o;
//   o.root = "/var/yubin"; o.bindir = "/usr/local/bin";
//   o.templates = "/usr/local/share/yubin/services"; o.port = 25;
//   std::vector<std::string> notes;
//   Status s = MakeServiceTree(o, &notes);
//
// From the templates (services/ in the source tree) it writes
// ROOT/service/{smtpd,send,local,remote} with their log/ services, ROOT/log/NAME,
// control/defaultdelivery and control/tcp.smtp (compiled to tcp.smtp.cdb
// with BINDIR/tcprules when that exists), the alias home ROOT/alias with
// .qmail-root, .qmail-postmaster and .qmail-mailer-daemon, and the boot files
// (yubin.service, the init script) under ETC. A new service directory is
// built under a dot name and renamed into place, so a running svscan never
// sees half of one; an existing one gets its templated files replaced
// atomically and keeps everything else (down, supervise/). Files the
// administrator edits (control files, .qmail files) are written only when
// missing. Running it again upgrades in place and loses no queue or mail.
//
// As root (not user mode) the accounts yubind, yubinq, yubinl and alias must
// exist (a permanent error names the missing one). Fails with a temporary
// Status on system errors.
#ifndef YUBIN_LIB_SETUP_SERVICE_TREE_H_
#define YUBIN_LIB_SETUP_SERVICE_TREE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"
#include "lib/setup/service_names.h"

namespace yubin::setup {


// Accounts used when running as root.
inline constexpr char kSmtpdUser[] = "yubind";
inline constexpr char kLogUser[] = "yubinl";
inline constexpr char kAliasUser[] = "alias";

// Limits written into the run scripts (bytes of data segment).
inline constexpr long kSmtpdDataLimit = 30000000;
inline constexpr long kSendDataLimit = 200000000;
inline constexpr long kLocalDataLimit = 100000000;
inline constexpr long kRemoteDataLimit = 100000000;
inline constexpr long kIntakeDataLimit = 300000000;
inline constexpr int kDefaultSmtpdConcurrency = 40;

struct TreeOptions {
  std::string root;       // laid out by MakeRoot already
  std::string bindir;     // where the programs are installed
  std::string templates;  // the services/ template directory
  int port = 25;
  std::string address = "0";  // tcpserver's host argument ("0": all)
  int concurrency = kDefaultSmtpdConcurrency;
  bool user_mode = false;
  // Where root's mail (and so postmaster's) goes: an address, or empty for
  // the Maildir in the alias home.
  std::string admin;
  // Directory that receives systemd/system/yubin.service and
  // init.d/yubin. Empty: "/etc" as root, ROOT/etc in user mode.
  std::string etc;
};

// Replaces every @NAME@ in text by values[NAME]. A placeholder not in values
// (or an unterminated @NAME) is a permanent error naming it.
Result<std::string> FillTemplate(std::string_view text,
                                 const std::map<std::string, std::string>& values);

// The placeholder values for options (accounts looked up when not in user
// mode).
Result<std::map<std::string, std::string>> TemplateValues(const TreeOptions& options);

// Where the boot files go for options (see TreeOptions::etc).
std::string EtcDir(const TreeOptions& options);

Status MakeServiceTree(const TreeOptions& options, std::vector<std::string>* notes);

}  // namespace yubin::setup

#endif  // YUBIN_LIB_SETUP_SERVICE_TREE_H_
