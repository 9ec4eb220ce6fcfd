// fake_local: a test-only stand-in with yubin-local's interface
// (`fake_local local domain sender < message`, exit 0/100/111, the reason on
// stdout), controlled by files in $FAKE_LOCAL_DIR:
//   LOCAL.code   exit code to use (default 0)
//   LOCAL.text   what to print (default "fake: code N")
//   LOCAL.hang   a FIFO: write LOCAL.started, then block opening it for
//                reading until the test opens it for writing
// On exit 0 it appends "From SENDER\n" and the message to LOCAL.mbox and
// "LOCAL@DOMAIN <SENDER>\n" to delivered.log.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir_env = getenv("FAKE_LOCAL_DIR");
  if (argc != 4 || dir_env == nullptr) {
    std::cout << "usage: fake_local local domain sender (FAKE_LOCAL_DIR set)";
    return 100;
  }
  std::string dir = dir_env, local = argv[1], domain = argv[2], sender = argv[3];
  std::string base = dir + "/" + local;
  struct stat st;
  if (stat((base + ".hang").c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
    std::ofstream(base + ".started") << getpid() << "\n";
    int fd = open((base + ".hang").c_str(), O_RDONLY);
    if (fd >= 0) close(fd);
  }
  int code = 0;
  std::string code_text = Read(base + ".code");
  if (!code_text.empty()) code = atoi(code_text.c_str());
  std::string text = Read(base + ".text");
  if (text.empty()) text = "fake: code " + std::to_string(code);
  if (code == 0) {
    std::string message((std::istreambuf_iterator<char>(std::cin)),
                        std::istreambuf_iterator<char>());
    std::ofstream(base + ".mbox", std::ios::app) << "From " << sender << "\n" << message;
    std::ofstream(dir + "/delivered.log", std::ios::app)
        << local << "@" << domain << " <" << sender << ">\n";
  }
  std::cout << text;
  return code;
}
