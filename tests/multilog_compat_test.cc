// Differential test: yubin's multilog against daemontools' multilog, case by
// case from tests/multilog_cases/*.case (see the README there).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/harness/harness.h"

namespace yubin::testing {
namespace {

constexpr char kDaemontoolsMultilog[] = "/usr/bin/multilog";

struct PreFile {
  std::string path;
  int mode;
  std::string content;
};

struct Case {
  std::vector<std::string> args;
  std::string input;
  std::vector<PreFile> files;
};

std::string NumberedLine(size_t n, size_t len) {
  std::string s = std::to_string(n) + " ";
  if (s.size() < len) s.append(len - s.size(), 'x');
  s.resize(len);
  return s + "\n";
}

Case ParseCase(const std::string& text) {
  Case c;
  std::istringstream in(text);
  std::string line;
  size_t counter = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    std::string word = line.substr(0, sp);
    std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (word == "arg") {
      c.args.push_back(rest);
    } else if (word == "line") {
      c.input += rest + "\n";
    } else if (word == "raw") {
      c.input += rest;
    } else if (word == "repeat") {
      std::istringstream r(rest);
      size_t n = 0, len = 0;
      r >> n >> len;
      for (size_t i = 0; i < n; ++i) c.input += NumberedLine(counter++, len);
    } else if (word == "file") {
      std::istringstream r(rest);
      PreFile f;
      std::string mode;
      r >> f.path >> mode;
      f.mode = std::stoi(mode, nullptr, 8);
      std::getline(r, f.content);
      if (!f.content.empty() && f.content[0] == ' ') f.content.erase(0, 1);
      f.content += "\n";
      c.files.push_back(f);
    } else {
      ADD_FAILURE() << "unknown case directive: " << line;
    }
  }
  return c;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  return out + "'";
}

std::string MaskStamps(const std::string& text) {
  static const std::regex kStamp("@[0-9a-f]{24}");
  return std::regex_replace(text, kStamp, "@STAMP");
}

// path -> "mode\ncontent" for every file under root; archive names become
// @1.s, @2.s, ... in time order within their directory.
void Walk(const std::string& root, const std::string& rel,
          std::map<std::string, std::string>* out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr) << dir;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != ".." && name != "input") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  int archive = 0;
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    std::string key = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    ASSERT_EQ(lstat(path.c_str(), &st), 0) << path;
    if (S_ISDIR(st.st_mode)) {
      (*out)[key + "/"] = "dir " + std::to_string(st.st_mode & 07777);
      Walk(root, key, out);
      continue;
    }
    if (name[0] == '@' && name.size() == 27) {
      key = (rel.empty() ? "" : rel + "/") + "@" + std::to_string(++archive) +
            name.substr(25);
    }
    char mode[8];
    snprintf(mode, sizeof mode, "%o", st.st_mode & 07777);
    (*out)[key] = std::string("mode ") + mode + "\n" +
                  MaskStamps(ReadFileOrEmpty(path));
  }
}

struct Outcome {
  int exit_code = -1;
  std::string err;
  std::map<std::string, std::string> tree;
};

Outcome RunOne(const std::string& binary, const Case& c) {
  Outcome o;
  std::string dir = MakeTempDir("case");
  for (const PreFile& f : c.files) {
    std::string path = dir + "/" + f.path;
    mkdir(path.substr(0, path.rfind('/')).c_str(), 0700);
    WriteFileOrDie(path, f.content, f.mode);
    chmod(path.c_str(), f.mode);
  }
  WriteFileOrDie(dir + "/input", c.input);
  std::string cmd = "cd " + ShellQuote(dir) + " && exec " + ShellQuote(binary);
  for (const std::string& a : c.args) cmd += " " + ShellQuote(a);
  cmd += " < input";
  ProcessResult r = RunShell(cmd);
  o.exit_code = r.exit_code;
  o.err = MaskStamps(r.err);
  Walk(dir, "", &o.tree);
  return o;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  std::string dir = RunfilePath("tests/multilog_cases");
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.substr(n.size() - 5) == ".case") {
      names.push_back(n.substr(0, n.size() - 5));
    }
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

class MultilogCompatTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (access(kDaemontoolsMultilog, X_OK) != 0) {
      GTEST_SKIP() << "daemontools' multilog is not installed "
                      "(apt-get install daemontools); tools/test installs it";
    }
  }
};

TEST_P(MultilogCompatTest, SameTreeAsDaemontools) {
  Case c = ParseCase(
      ReadFileOrEmpty(RunfilePath("tests/multilog_cases/" + GetParam() + ".case")));
  ASSERT_FALSE(c.args.empty()) << "case has no script";
  Outcome theirs = RunOne(kDaemontoolsMultilog, c);
  Outcome ours = RunOne(RunfilePath("cmd/multilog/multilog"), c);
  EXPECT_EQ(ours.exit_code, theirs.exit_code) << ours.err;
  EXPECT_EQ(ours.err, theirs.err);
  for (const auto& [path, want] : theirs.tree) {
    auto it = ours.tree.find(path);
    if (it == ours.tree.end()) {
      ADD_FAILURE() << "got no " << path << ", want it (daemontools made it)";
      continue;
    }
    EXPECT_EQ(it->second, want) << "file " << path;
  }
  for (const auto& [path, got] : ours.tree) {
    EXPECT_TRUE(theirs.tree.count(path))
        << "got " << path << ", want no such file (daemontools made none)";
  }
}

TEST(MultilogCompatCases, AtLeastTenCases) {
  EXPECT_GE(CaseNames().size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(Cases, MultilogCompatTest,
                         ::testing::ValuesIn(CaseNames()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace yubin::testing
