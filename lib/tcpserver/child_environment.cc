#include "lib/tcpserver/child_environment.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace yubin::tcpserver {

ChildEnvironment::ChildEnvironment(char** base) {
  size_t n = 0;
  while (base && base[n]) ++n;
  entries_.assign(base, base + n);
}

size_t ChildEnvironment::Find(std::string_view name) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const char* e = entries_[i];
    if (strncmp(e, name.data(), name.size()) == 0 && e[name.size()] == '=')
      return i;
  }
  return entries_.size();
}

void ChildEnvironment::Set(std::string_view name, std::string_view value) {
  std::string entry;
  entry.reserve(name.size() + 1 + value.size());
  entry.append(name).append("=").append(value);
  owned_.push_back(std::move(entry));
  const char* stored = owned_.back().c_str();
  size_t i = Find(name);
  if (i < entries_.size()) entries_[i] = stored;
  else entries_.push_back(stored);
}

void ChildEnvironment::Unset(std::string_view name) {
  size_t i;
  while ((i = Find(name)) < entries_.size()) entries_.erase(entries_.begin() + i);
}

std::optional<std::string_view> ChildEnvironment::Get(
    std::string_view name) const {
  size_t i = Find(name);
  if (i == entries_.size()) return std::nullopt;
  return std::string_view(entries_[i] + name.size() + 1);
}

std::vector<char*> ChildEnvironment::Pointers() const {
  std::vector<char*> out;
  out.reserve(entries_.size() + 1);
  for (const char* e : entries_) out.push_back(const_cast<char*>(e));
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> ChildEnvironment::entries() const {
  return std::vector<std::string>(entries_.begin(), entries_.end());
}

std::string ResolveProgram(const std::string& name, std::string_view path,
                           int* error) {
  *error = ENOENT;
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return name;
  while (true) {
    size_t colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    std::string candidate =
        (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (errno == EACCES) *error = EACCES;
    if (colon == std::string_view::npos) return "";
    path.remove_prefix(colon + 1);
  }
}

}  // namespace yubin::tcpserver
