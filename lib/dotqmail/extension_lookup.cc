#include "lib/dotqmail/extension_lookup.h"

#include <sys/stat.h>

#include <cerrno>

namespace yubin::dotqmail {

std::string FileNameExtension(std::string_view ext) {
  std::string out(ext);
  for (char& c : out) {
    if (c == '.') c = ':';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<DotQmailCandidate> DotQmailCandidates(std::string_view dash,
                                                  std::string_view ext) {
  std::string e = FileNameExtension(ext);
  std::string base = ".qmail" + std::string(dash);
  std::vector<DotQmailCandidate> out;
  if (e.empty()) {
    out.push_back({".qmail", std::nullopt});
    return out;
  }
  out.push_back({base + e, std::nullopt});
  // Prefixes ending in '-', longest first, then the bare -default.
  for (size_t i = e.size(); i > 0; --i) {
    if (e[i - 1] != '-') continue;
    out.push_back({base + e.substr(0, i) + "default", e.substr(i)});
  }
  out.push_back({base + "default", e});
  return out;
}

Result<DotQmailChoice> FindDotQmail(const std::string& home,
                                    std::string_view dash, std::string_view ext) {
  if (ext.find('/') != std::string_view::npos ||
      ext.find('\0') != std::string_view::npos) {
    return Status::Permanent(kNoMailbox);
  }
  for (const DotQmailCandidate& c : DotQmailCandidates(dash, ext)) {
    std::string path = home + "/" + c.name;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      return DotQmailChoice{true, path, c.default_part};
    }
    if (errno != ENOENT) {
      return Status::FromErrno("unable to stat " + path, errno);
    }
  }
  if (ext.empty()) return DotQmailChoice{};
  return Status::Permanent(kNoMailbox);
}

}  // namespace yubin::dotqmail
