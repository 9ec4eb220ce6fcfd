// rules_parser.h: the tcprules language, one line at a time.
//
//   std::vector<RuleRecord> records;
//   Status s = ParseRuleLine("127.:allow,RELAYCLIENT=\"\"", &records);
//   // records == {{"127.", "+RELAYCLIENT=\0"}}
//   Result<std::vector<RuleRecord>> all = ParseRules(text);
//   // on error: "line 3: unknown instruction, want allow or deny: 1.2:yes"
//
// A line is ADDRESS:allow|deny[,VAR=qVALUEq]... where q is any character
// that repeats to close the value. Exactly as ucspi-tcp 0.88's tcprules:
// trailing spaces, tabs and newlines are dropped; lines starting with '#'
// and lines without ':' are ignored; an address without '@' or '=' may hold
// one numeric range "a-b" (10.2-3. stands for 10.2. and 10.3.; values above
// 255 are dropped). Each record's data is what tcpserver reads: "D\0" for
// deny (allow writes nothing), then "+VAR=value\0" for each variable.
//
// Beyond ucspi-tcp, IPv6 addresses (see ip_key.h): when the text after the
// first ':' is not an instruction, the address ends at the first ":allow"
// or ":deny", and an IPv6 address or group prefix there (optionally after
// "info@") is stored in the expanded form.
//
// Errors are permanent Statuses naming the problem; ParseRules adds the
// line number. A line over kMaxRuleLineBytes is an error, never a big
// allocation.
#ifndef YUBIN_LIB_RULES_RULES_PARSER_H_
#define YUBIN_LIB_RULES_RULES_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/status.h"

namespace yubin::rules {

inline constexpr size_t kMaxRuleLineBytes = 65536;
// Range values are octets; a range never emits more than 256 records.
inline constexpr unsigned kMaxRangeValue = 255;

struct RuleRecord {
  std::string key;
  std::string data;
  bool operator==(const RuleRecord&) const = default;
};

// Appends the records one input line (without its '\n') stands for.
Status ParseRuleLine(std::string_view line, std::vector<RuleRecord>* out);

// Parses a whole rules text; errors read "line N: problem: the line".
Result<std::vector<RuleRecord>> ParseRules(std::string_view text);

}  // namespace yubin::rules

#endif  // YUBIN_LIB_RULES_RULES_PARSER_H_
