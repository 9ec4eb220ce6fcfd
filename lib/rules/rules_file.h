// rules_file.h: a rules cdb kept open and mapped between lookups, as a
// server that looks every connection up in the same file wants it.
//
//   RulesFile rules("/etc/tcp.smtp.cdb");
//   Result<RuleMatch> m = rules.Lookup({.ip = "127.0.0.1"});
//   if (!m.ok() && m.status().error_number() == ENOENT) no rules file;
//
// Every lookup first stats the path: when it names another file (tcprules
// renamed a new cdb into place) or the file changed in place (size, mtime
// or ctime differ), the old mapping goes and the file is opened again, so
// each lookup sees the cdb as it is at that moment, exactly as opening it
// per lookup would, for one stat(2) instead of open, fstat, mmap, munmap
// and close. Errors carry errno (ENOENT: the path does not exist); after an
// error nothing stays open.
#ifndef YUBIN_LIB_RULES_RULES_FILE_H_
#define YUBIN_LIB_RULES_RULES_FILE_H_

#include <sys/stat.h>

#include <memory>
#include <string>

#include "lib/base/status.h"
#include "lib/rules/rules_lookup.h"

namespace yubin::rules {

class RulesFile {
 public:
  explicit RulesFile(std::string path);
  ~RulesFile();
  RulesFile(const RulesFile&) = delete;
  RulesFile& operator=(const RulesFile&) = delete;

  const std::string& path() const { return path_; }

  // Looks query up in the cdb at path() as it is now (see above).
  Result<RuleMatch> Lookup(const RuleQuery& query);

 private:
  struct Open;  // the descriptor and tinycdb's mapping of it
  Status Reopen();

  std::string path_;
  std::unique_ptr<Open> open_;
  struct stat identity_ {};  // of the file open_ holds
};

}  // namespace yubin::rules

#endif  // YUBIN_LIB_RULES_RULES_FILE_H_
