#include "lib/rules/rules_cdb.h"

#include <cdb.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/durable_file.h"
#include "lib/base/fd.h"

namespace yubin::rules {
namespace {

constexpr size_t kReadChunk = 65536;

Result<std::string> ReadAllBounded(int fd) {
  std::string text;
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = ReadRetry(fd, buf, sizeof buf);
    if (n < 0) return Status::FromErrno("unable to read input", errno);
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > kMaxRulesInputBytes)
      return Status::Permanent("input too large");
    text.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Status WriteRulesCdb(const std::vector<RuleRecord>& records,
                     const std::string& cdb_path, const std::string& tmp_path) {
  UniqueFd fd(OpenRetry(tmp_path.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid())
    return Status::FromErrno("unable to create " + tmp_path, errno);
  struct cdb_make maker;
  bool ok = cdb_make_start(&maker, fd.get()) == 0;
  for (size_t i = 0; ok && i < records.size(); ++i) {
    const RuleRecord& r = records[i];
    ok = cdb_make_add(&maker, r.key.data(), static_cast<unsigned>(r.key.size()),
                      r.data.data(),
                      static_cast<unsigned>(r.data.size())) == 0;
  }
  // cdb_make_finish also frees the maker's tables, so it runs even after
  // a failed add.
  bool finished = cdb_make_finish(&maker) == 0;
  int err = errno;
  ok = ok && finished;
  Status s = ok ? CommitFile(fd.get(), tmp_path, cdb_path, CommitMode::kRename)
                : Status::FromErrno("unable to write " + tmp_path, err);
  if (!s.ok()) unlink(tmp_path.c_str());
  return s;
}

Status CompileRules(int in_fd, const std::string& cdb_path,
                    const std::string& tmp_path) {
  Result<std::string> text = ReadAllBounded(in_fd);
  if (!text.ok()) return text.status();
  Result<std::vector<RuleRecord>> records = ParseRules(*text);
  if (!records.ok()) return records.status();
  return WriteRulesCdb(*records, cdb_path, tmp_path);
}

}  // namespace yubin::rules
