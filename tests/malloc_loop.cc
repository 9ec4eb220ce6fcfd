// malloc_loop: allocates (and touches) memory in 1 MiB steps until malloc
// fails or kMaxMiB is reached, then reports how far it got.
//
//   softlimit -d 50000000 malloc_loop   # "malloc failed after 47 MiB", exit 0
//
// Exit 0 when an allocation failed, 1 when it reached kMaxMiB unhindered.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
constexpr size_t kStep = 1024 * 1024;
constexpr size_t kMaxMiB = 256;
}  // namespace

int main() {
  std::vector<void*> blocks;
  blocks.reserve(kMaxMiB);
  for (size_t mib = 0; mib < kMaxMiB; ++mib) {
    void* p = std::malloc(kStep);
    if (p == nullptr) {
      std::printf("malloc failed after %zu MiB\n", mib);
      return 0;
    }
    std::memset(p, 1, kStep);
    blocks.push_back(p);
  }
  std::printf("allocated %zu MiB unhindered\n", kMaxMiB);
  for (void* p : blocks) std::free(p);
  return 1;
}
