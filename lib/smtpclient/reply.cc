#include "lib/smtpclient/reply.h"

namespace yubin::smtpclient {

std::string Reply::Text() const {
  std::string text = std::to_string(code);
  for (size_t i = 0; i < lines.size(); ++i) {
    text += i == 0 ? " " : " / ";
    text += lines[i];
  }
  if (text.size() > kMaxReplyTextBytes) text.resize(kMaxReplyTextBytes);
  for (char& c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = '?';
  }
  return text;
}

ReplyFeed ReplyAssembler::Feed(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() < 3) return ReplyFeed::kBad;
  for (int i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return ReplyFeed::kBad;
  }
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) return ReplyFeed::kBad;
  if (seen_lines_ > 0 && code != reply_.code) return ReplyFeed::kBad;
  bool last = true;
  std::string_view text;
  if (line.size() > 3) {
    if (line[3] == '-') {
      last = false;
    } else if (line[3] != ' ') {
      return ReplyFeed::kBad;
    }
    text = line.substr(4);
  }
  reply_.code = code;
  ++seen_lines_;
  if (reply_.lines.size() < kMaxReplyLines) {
    reply_.lines.emplace_back(text.substr(0, kMaxReplyLineBytes));
  }
  return last ? ReplyFeed::kDone : ReplyFeed::kMore;
}

Reply ReplyAssembler::Take() {
  Reply r = std::move(reply_);
  reply_ = Reply();
  seen_lines_ = 0;
  return r;
}

ReplyFeed ParseReplyText(std::string_view text, Reply* out) {
  ReplyAssembler a;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view()
                                        : text.substr(nl + 1);
    ReplyFeed f = a.Feed(line);
    if (f == ReplyFeed::kDone) *out = a.Take();
    if (f != ReplyFeed::kMore) return f;
  }
  return ReplyFeed::kMore;
}

}  // namespace yubin::smtpclient
