#include "lib/inject/inject_command.h"

#include "lib/inject/flag_scanner.h"

namespace yubin::inject {

Result<InjectOptions> ParseInjectArgs(const std::vector<std::string>& args) {
  InjectOptions o;
  Result<size_t> first = ScanFlags(
      args, FlagSpec{.no_value = "tn", .value = "fF"},
      [&o](char flag, std::string_view value) {
        switch (flag) {
          case 't': o.recipients_from_header = true; break;
          case 'n': o.print_only = true; break;
          case 'f': o.sender = std::string(value); break;
          case 'F': o.full_name = std::string(value); break;
        }
        return Status::Ok();
      });
  if (!first.ok()) return first.status();
  o.recipients.assign(args.begin() + static_cast<std::ptrdiff_t>(*first), args.end());
  if (o.recipients.empty()) o.recipients_from_header = true;
  return o;
}

}  // namespace yubin::inject
