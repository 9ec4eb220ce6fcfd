// test_message.h: helpers for delivery tests: a message in a seekable
// unlinked file, a fresh temporary directory, whole-file reads.
//
//   int fd = MessageFd("Subject: x\n\nbody\n");
//   std::string dir = TempDir("maildir");
#ifndef YUBIN_LIB_DELIVER_TEST_MESSAGE_H_
#define YUBIN_LIB_DELIVER_TEST_MESSAGE_H_

#include <string>
#include <string_view>
#include <vector>

namespace yubin::deliver::testing {

// A seekable fd holding content (aborts on failure; tests only).
int MessageFd(std::string_view content);
std::string TempDir(std::string_view prefix);
std::string ReadFile(const std::string& path);
// Names in a directory, without . and ..
std::vector<std::string> ListDir(const std::string& dir);

}  // namespace yubin::deliver::testing

#endif  // YUBIN_LIB_DELIVER_TEST_MESSAGE_H_
