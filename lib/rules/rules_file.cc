// rules_file.cc: see rules_file.h.
#include "lib/rules/rules_file.h"

#include <cdb.h>
#include <fcntl.h>

#include <cerrno>
#include <utility>

#include "lib/base/fd.h"

namespace yubin::rules {
namespace {

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// The same file, unchanged: what the mapping holds is what is on disk.
bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         SameTime(a.st_mtim, b.st_mtim) && SameTime(a.st_ctim, b.st_ctim);
}

}  // namespace

// tinycdb maps the whole file and reads only the mapping: the descriptor
// is closed once it is mapped, so none is left open (nor inherited).
struct RulesFile::Open {
  struct cdb db {};
  ~Open() { cdb_free(&db); }
};

RulesFile::RulesFile(std::string path) : path_(std::move(path)) {}

RulesFile::~RulesFile() = default;

Status RulesFile::Reopen() {
  open_.reset();
  UniqueFd fd(OpenRetry(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("unable to read " + path_, errno);
  // What was opened may be newer than what was stat'ed: keep the identity
  // of the file actually mapped, so a change in between is seen next time.
  struct stat opened;
  if (fstat(fd.get(), &opened) != 0) return Status::FromErrno("unable to read " + path_, errno);
  auto fresh = std::make_unique<Open>();
  if (cdb_init(&fresh->db, fd.get()) != 0) {
    fresh->db = {};
    return Status::FromErrno("unable to read " + path_, errno);
  }
  identity_ = opened;
  open_ = std::move(fresh);
  return Status::Ok();
}

Result<RuleMatch> RulesFile::Lookup(const RuleQuery& query) {
  struct stat st;
  if (stat(path_.c_str(), &st) != 0) {
    open_.reset();
    return Status::FromErrno("unable to read " + path_, errno);
  }
  if (open_ == nullptr || !SameFile(st, identity_)) {
    if (Status s = Reopen(); !s.ok()) return s;
  }
  Result<RuleMatch> match = LookupRulesIn(&open_->db, query);
  if (!match.ok()) {
    open_.reset();
    return match.status().Wrap("unable to read " + path_);
  }
  return match;
}

}  // namespace yubin::rules
