#include "lib/deliver/unique_name.h"

#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>

namespace yubin::deliver {
namespace {

std::atomic<uint64_t> g_sequence{0};

uint64_t RandomBits() {
  uint64_t value = 0;
  if (::getrandom(&value, sizeof value, GRND_NONBLOCK) ==
      static_cast<ssize_t>(sizeof value)) {
    return value;
  }
  // No entropy yet (early boot): pid, time and a stack address still make the
  // name unique together with the sequence number.
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  value = static_cast<uint64_t>(tv.tv_sec) * 1000003u ^
          static_cast<uint64_t>(tv.tv_usec) * 2654435761u ^
          reinterpret_cast<uintptr_t>(&value);
  return value;
}

}  // namespace

std::string MaildirHostPart() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    return "localhost";
  }
  std::string out;
  for (const char* p = host; *p != '\0'; ++p) {
    if (*p == '/') {
      out += "\\057";
    } else if (*p == ':') {
      out += "\\072";
    } else {
      out += *p;
    }
  }
  return out;
}

std::string MaildirUniqueName() {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  uint64_t sequence = g_sequence.fetch_add(1);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%lld.M%06ldP%ldQ%" PRIu64 "R%016" PRIx64 ".",
                static_cast<long long>(tv.tv_sec), static_cast<long>(tv.tv_usec),
                static_cast<long>(::getpid()), sequence, RandomBits());
  return std::string(buf) + MaildirHostPart();
}

}  // namespace yubin::deliver
