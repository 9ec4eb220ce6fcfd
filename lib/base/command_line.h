// command_line.h: what every yubin command does with --help.
//
//   HandleHelp(argc, argv, kHelp);   // first thing in main()
//
// "--help" anywhere before a "--" prints the text on stdout and exits 0, so
// `prog --help | less` works; usage errors still go to stderr with exit 100.
#ifndef YUBIN_LIB_BASE_COMMAND_LINE_H_
#define YUBIN_LIB_BASE_COMMAND_LINE_H_

#include <string_view>

namespace yubin {

void HandleHelp(int argc, char** argv, std::string_view help_text);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_COMMAND_LINE_H_
