// code_mappings.h: lets a forking server's children start with its code
// already mapped.
//
//   size_t n = ShareCodeMappingsWithChildren();  // once, before forking
//
// fork(2) copies the page table entries of a mapping only when the mapping
// holds private (anonymous) pages; a program's code and constants, mapped
// from its files and never written, have none, so every child of a server
// that runs in the forked child without an exec (tcpserver's in-process
// yubin-smtpd) takes a page fault for each 64 KB stretch of them it uses:
// about 18 per SMTP session for code in the C library alone. This gives
// each read-only private file mapping (code, r-xp; constants, r--p) one
// private page by writing the first byte of the mapping back unchanged
// through /proc/self/mem (the way a debugger sets a breakpoint; the
// mapping keeps its protection, and the page's bytes stay the same). From
// then on fork copies the entries the server has mapped, in one pass, and
// children fault only on what the server itself never touched.
//
// Costs one private page per mapping. Returns how many mappings it
// prepared: 0 where /proc is missing or the kernel refuses writes through
// /proc/self/mem (proc_mem.force_override=never); nothing else changes
// then. Call it while the process has a single thread, and before it
// changes its ids: a process whose uid changed may no longer open its own
// /proc/self/mem (it is no longer dumpable).
#ifndef YUBIN_LIB_TCPSERVER_CODE_MAPPINGS_H_
#define YUBIN_LIB_TCPSERVER_CODE_MAPPINGS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace yubin::tcpserver {

// The start addresses of the read-only (r-xp or r--p), private, file-backed
// mappings in a /proc/PID/maps text (lines "start-end perms offset dev
// inode path").
std::vector<uintptr_t> ReadOnlyFileMappings(std::string_view maps);

size_t ShareCodeMappingsWithChildren();

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_CODE_MAPPINGS_H_
