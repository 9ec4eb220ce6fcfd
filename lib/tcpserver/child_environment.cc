#include "lib/tcpserver/child_environment.h"

#include <unistd.h>

#include <cerrno>

namespace yubin::tcpserver {

ChildEnvironment::ChildEnvironment(char** base) {
  for (char** e = base; e && *e; ++e) entries_.emplace_back(*e);
}

size_t ChildEnvironment::Find(std::string_view name) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const std::string& e = entries_[i];
    if (e.size() > name.size() && e[name.size()] == '=' &&
        e.compare(0, name.size(), name) == 0)
      return i;
  }
  return entries_.size();
}

void ChildEnvironment::Set(std::string_view name, std::string_view value) {
  std::string entry;
  entry.reserve(name.size() + 1 + value.size());
  entry.append(name).append("=").append(value);
  size_t i = Find(name);
  if (i < entries_.size()) entries_[i] = std::move(entry);
  else entries_.push_back(std::move(entry));
}

void ChildEnvironment::Unset(std::string_view name) {
  size_t i;
  while ((i = Find(name)) < entries_.size()) entries_.erase(entries_.begin() + i);
}

std::optional<std::string_view> ChildEnvironment::Get(
    std::string_view name) const {
  size_t i = Find(name);
  if (i == entries_.size()) return std::nullopt;
  return std::string_view(entries_[i]).substr(name.size() + 1);
}

std::vector<char*> ChildEnvironment::Pointers() {
  std::vector<char*> out;
  out.reserve(entries_.size() + 1);
  for (std::string& e : entries_) out.push_back(e.data());
  out.push_back(nullptr);
  return out;
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
