// sibling_program.h: the identity of a program installed beside the
// running one, for tcpserver's in-process yubin-smtpd.
//
//   options.in_process_file = SiblingProgram("yubin-smtpd");
//
// The device and inode of OwnDirectory()/name (the directory of
// /proc/self/exe), or nothing when that file does not exist.
#ifndef YUBIN_LIB_TCPSERVER_SIBLING_PROGRAM_H_
#define YUBIN_LIB_TCPSERVER_SIBLING_PROGRAM_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

namespace yubin::tcpserver {

std::optional<std::pair<dev_t, ino_t>> SiblingProgram(const std::string& name);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_SIBLING_PROGRAM_H_
