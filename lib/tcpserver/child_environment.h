// child_environment.h: the environment a connection's program gets, built
// as data (no setenv), so the server can prepare it before fork and the
// child only passes it to execve.
//
//   ChildEnvironment env(environ);
//   env.Set("TCPREMOTEIP", "10.0.0.7");
//   env.Unset("TCPREMOTEINFO");
//   execve(path, argv, env.Pointers().data());
//
// Set replaces an existing variable in place or appends; nothing fails.
// Inherited entries are not copied: the object points into base, which must
// outlive it and not change (the server never calls setenv).
// ResolveProgram finds a program name on PATH as execvp does, using the
// PATH of the child's environment (a rule may change it).
#ifndef YUBIN_LIB_TCPSERVER_CHILD_ENVIRONMENT_H_
#define YUBIN_LIB_TCPSERVER_CHILD_ENVIRONMENT_H_

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yubin::tcpserver {

// execvp's PATH when none is set.
inline constexpr char kDefaultPath[] = "/bin:/usr/bin";

class ChildEnvironment {
 public:
  explicit ChildEnvironment(char** base);

  void Set(std::string_view name, std::string_view value);
  void Unset(std::string_view name);
  std::optional<std::string_view> Get(std::string_view name) const;
  // NULL-terminated pointers into this object; valid while it lives
  // unchanged.
  std::vector<char*> Pointers() const;
  // A copy of every "NAME=value", in order.
  std::vector<std::string> entries() const;

 private:
  size_t Find(std::string_view name) const;
  std::vector<const char*> entries_;
  std::deque<std::string> owned_;  // entries made by Set; stable addresses
};

// The path to execute for name: name itself when it holds a '/', else the
// first executable PATH entry, else "" (errno-style reason in *error).
std::string ResolveProgram(const std::string& name, std::string_view path,
                           int* error);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_CHILD_ENVIRONMENT_H_
