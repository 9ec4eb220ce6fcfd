// boot_id.h: which boot of the machine this is, as the kernel names it
// (/proc/sys/kernel/random/boot_id, a new random UUID at every boot).
//
//   const std::string& boot = CurrentBootId();   // "" when unreadable
//
// Files written during this boot are whole in the page cache whatever the
// disk holds; a file from an earlier boot is whatever the disk kept.
#ifndef YUBIN_LIB_BASE_BOOT_ID_H_
#define YUBIN_LIB_BASE_BOOT_ID_H_

#include <string>
#include <string_view>

namespace yubin {

// Read once per process; "" when the file is missing or not a UUID.
const std::string& CurrentBootId();

// The UUID in text (lowercase hex digits and dashes, 36 bytes, an optional
// final newline), or "" when text is not one.
std::string ParseBootId(std::string_view text);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_BOOT_ID_H_
