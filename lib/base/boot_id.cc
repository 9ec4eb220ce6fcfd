#include "lib/base/boot_id.h"

#include "lib/base/fd.h"

namespace yubin {

std::string ParseBootId(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.size() != 36) return "";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return std::string(text);
}

const std::string& CurrentBootId() {
  static const std::string id = [] {
    Result<std::string> text = ReadSmallFile("/proc/sys/kernel/random/boot_id", 64);
    return text.ok() ? ParseBootId(*text) : std::string();
  }();
  return id;
}

}  // namespace yubin
