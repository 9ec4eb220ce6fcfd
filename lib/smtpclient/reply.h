// reply.h: assembling an SMTP server's reply from its lines (RFC 5321 4.2).
//
//   ReplyAssembler a;
//   a.Feed("250-mx.example.com") == ReplyFeed::kMore
//   a.Feed("250 SIZE 1000")      == ReplyFeed::kDone
//   Reply r = a.Take();          // r.code == 250, r.lines == {"mx...", "SIZE 1000"}
//
// Each line is "DDD-text" (more follow) or "DDD text" / "DDD" (the last),
// where DDD is 200..599 and every line carries the same code. Anything else
// is kBad: the client then treats the server as broken (a temporary error).
// At most kMaxReplyLines lines are kept, each cut to kMaxReplyLineBytes, so
// a hostile server cannot grow memory.
#ifndef YUBIN_LIB_SMTPCLIENT_REPLY_H_
#define YUBIN_LIB_SMTPCLIENT_REPLY_H_

#include <string>
#include <string_view>
#include <vector>

namespace yubin::smtpclient {

inline constexpr size_t kMaxReplyLineBytes = 1000;  // kept per line
inline constexpr size_t kMaxReplyLines = 100;
inline constexpr size_t kMaxReplyTextBytes = 1000;  // Text()'s length

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // texts after "DDD-" / "DDD "

  bool positive() const { return code >= 200 && code < 300; }
  bool temporary() const { return code < 200 || (code >= 300 && code < 500); }
  bool permanent() const { return code >= 500; }
  // "250 first line / second line", bounded by kMaxReplyTextBytes, with
  // control bytes replaced by '?': safe to put in a report or a log.
  std::string Text() const;
};

enum class ReplyFeed { kMore, kDone, kBad };

class ReplyAssembler {
 public:
  // line is one line without its CRLF (a lone trailing CR is dropped).
  ReplyFeed Feed(std::string_view line);
  // The finished reply; resets the assembler for the next one.
  Reply Take();

 private:
  Reply reply_;
  size_t seen_lines_ = 0;
};

// For fuzzing and tests: feeds text split at '\n' until kDone or kBad.
ReplyFeed ParseReplyText(std::string_view text, Reply* out);

}  // namespace yubin::smtpclient

#endif  // YUBIN_LIB_SMTPCLIENT_REPLY_H_
