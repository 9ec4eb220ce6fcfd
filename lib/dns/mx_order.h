// mx_order.h: which mail exchangers to try, in which order (RFC 5321 5.1).
//
//   std::vector<MxRecord> mx = {{10, "b.example"}, {5, "a.example"}};
//   std::mt19937 rng(seed);
//   Result<std::vector<MxRecord>> order =
//       OrderMxRecords(mx, [](const std::string& h) { return h == "me"; }, rng);
//
// Lowest preference first; records of equal preference are shuffled so load
// spreads. When one of the exchangers is this host (is_us says so), every
// record whose preference is not better than ours is dropped: we are a
// backup MX and must hand the mail to a better one, never to ourselves or a
// peer of equal rank. If that leaves nothing, the mail would loop: a
// permanent error.
#ifndef YUBIN_LIB_DNS_MX_ORDER_H_
#define YUBIN_LIB_DNS_MX_ORDER_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "lib/base/status.h"

namespace yubin::dns {

struct MxRecord {
  uint16_t preference = 0;
  std::string host;  // lowercase, no trailing dot
};

Result<std::vector<MxRecord>> OrderMxRecords(
    std::vector<MxRecord> records,
    const std::function<bool(const std::string&)>& is_us, std::mt19937& rng);

}  // namespace yubin::dns

#endif  // YUBIN_LIB_DNS_MX_ORDER_H_
