#include "lib/tcpserver/code_mappings.h"

#include <regex.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace yubin::tcpserver {
namespace {

TEST(ReadOnlyFileMappingsTest, TakesOnlyReadOnlyPrivateFileMappings) {
  const std::string maps =
      "55d0a0000000-55d0a0010000 r--p 00000000 fe:00 1 /usr/sbin/tcpserver\n"
      "55d0a0010000-55d0a0090000 r-xp 00010000 fe:00 1 /usr/sbin/tcpserver\n"
      "55d0a2000000-55d0a2021000 rw-p 00000000 00:00 0 [heap]\n"
      "7f0000026000-7f000017c000 r-xp 00026000 fe:00 2 /lib/x86_64-linux-gnu/libc.so.6\n"
      "7f0000200000-7f0000201000 r-xs 00000000 fe:00 3 /dev/shm/shared code\n"
      "7f0000300000-7f0000302000 r-xp 00000000 00:00 0 [vdso]\n"
      "7f0000400000-7f0000401000 r-xp 00000000 00:00 0 \n"
      "garbage line\n"
      "zz-7f0000500000 r-xp 00000000 fe:00 4 /bad/start\n"
      "7f0000700000-7f0000701000 rw-p 00000000 fe:00 2 /lib/x86_64-linux-gnu/libc.so.6\n"
      "7f0000800000-7f0000801000 r--s 00000000 fe:00 6 /etc/tcp.smtp.cdb\n"
      "7f0000600000-7f0000601000 r-xp 00000000 fe:00 5 /no/newline/at/end";
  std::vector<uintptr_t> want = {0x55d0a0000000, 0x55d0a0010000, 0x7f0000026000,
                                 0x7f0000600000};
  EXPECT_EQ(ReadOnlyFileMappings(maps), want);
  EXPECT_TRUE(ReadOnlyFileMappings("").empty());
}

// Runs code spread over the C library: what a child of the server might.
int Exercise() {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%g %s %x", std::strtod("2.5e3", nullptr), "x", 77);
  regex_t re;
  int matched = 0;
  if (regcomp(&re, "^[a-z]+@([a-z]+\\.)+[a-z]{2,}$", REG_EXTENDED) == 0) {
    matched = regexec(&re, "user@example.com", 0, nullptr, 0) == 0;
    regfree(&re);
  }
  const time_t now = time(nullptr);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
  int values[] = {5, 3, 9, 1};
  std::qsort(values, 4, sizeof values[0], [](const void* a, const void* b) {
    return *static_cast<const int*>(a) - *static_cast<const int*>(b);
  });
  return matched + values[0];
}

// Minor page faults a forked child takes running Exercise().
long ChildFaults() {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    const int r = Exercise();
    getrusage(RUSAGE_SELF, &after);
    const long faults = after.ru_minflt - before.ru_minflt + (r < 0 ? 1 : 0);
    (void)!write(fds[1], &faults, sizeof faults);
    _exit(0);
  }
  close(fds[1]);
  long faults = -1;
  if (read(fds[0], &faults, sizeof faults) != sizeof faults) faults = -1;
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  return faults;
}

// The Anonymous: kilobytes of the mapping that holds address, from smaps.
long AnonymousKbAt(uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long start, end;
    char dash;
    std::istringstream head(line);
    if (head >> std::hex >> start >> dash >> end && dash == '-') {
      inside = address >= start && address < end;
      continue;
    }
    if (inside && line.rfind("Anonymous:", 0) == 0) return std::atol(line.c_str() + 10);
  }
  return -1;
}

TEST(ShareCodeMappingsTest, ChildrenStartWithTheServersCodeMapped) {
  ASSERT_GE(Exercise(), 0);  // the parent has run the code: it is mapped here
  const long before = ChildFaults();
  ASSERT_GE(before, 0);
  const uintptr_t libc_code = reinterpret_cast<uintptr_t>(&regcomp);
  ASSERT_EQ(AnonymousKbAt(libc_code), 0);
  if (ShareCodeMappingsWithChildren() == 0) {
    GTEST_SKIP() << "writes through /proc/self/mem are refused here";
  }
  EXPECT_GT(AnonymousKbAt(libc_code), 0);
  const long after = ChildFaults();
  // Without the copied entries each 64 KB stretch of code the child runs
  // is a fault; what is left are its stack and heap.
  EXPECT_LT(after, before) << "child faults: got " << after << ", had " << before;
  EXPECT_EQ(Exercise(), Exercise());  // the code still runs as it did
}

}  // namespace
}  // namespace yubin::tcpserver
