// data_decoder.h: the body of SMTP DATA, from wire bytes to the message.
//
//   DataDecoder dec(/*max_bytes=*/1 << 20);
//   std::string out;
//   size_t used = dec.Feed(input, &out);   // bytes of input consumed
//   write(queue_fd, out);                   // LF line ends, dots unstuffed
//   if (dec.done()) { DataResult r = dec.result(); ... }
//
// Only <CRLF>.<CRLF> ends the data (the CRLF before the dot may be the one
// that ended the DATA command). A bare LF or a bare CR, anywhere, marks the
// message as unacceptable but never ends it, so no other line-end convention
// can smuggle a second message past us. NUL bytes also mark it. Once the
// message is over max_bytes, or marked, nothing more is emitted: the decoder
// keeps reading to the end so that the reply is in step with the client.
// Memory is constant: only the first bytes of each header line are kept, to
// count Received: and Delivered-To: lines (mail loops).
#ifndef YUBIN_LIB_SMTP_DATA_DECODER_H_
#define YUBIN_LIB_SMTP_DATA_DECODER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace yubin::smtp {

// More Received:/Delivered-To: header lines than this is a loop (qmail: 100).
inline constexpr int kMaxHops = 100;

struct DataResult {
  uint64_t bytes = 0;       // message size as the queue would get it
  bool too_big = false;     // over max_bytes
  bool bare_cr_or_lf = false;
  bool nul = false;
  int hops = 0;             // Received: and Delivered-To: header lines
  bool loop() const { return hops > kMaxHops; }
  bool acceptable() const { return !too_big && !bare_cr_or_lf && !nul && !loop(); }
};

class DataDecoder {
 public:
  explicit DataDecoder(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // Decodes from in, appending message bytes to *out, until the end marker
  // or the end of in. Returns how many bytes of in were consumed: less than
  // in.size() only when done() (the rest belongs to the next command).
  size_t Feed(std::string_view in, std::string* out);
  bool done() const { return state_ == State::kDone; }
  const DataResult& result() const { return result_; }

 private:
  enum class State { kLineStart, kDot, kDotCr, kInLine, kCr, kDone };
  void Emit(char c, std::string* out);
  // Emit for each byte of a run holding no CR, LF or NUL, at once.
  void EmitRun(std::string_view run, std::string* out);
  void EndLine(std::string* out);

  uint64_t max_bytes_;  // 0: no limit
  State state_ = State::kLineStart;
  DataResult result_;
  bool in_header_ = true;
  bool marked() const { return result_.bare_cr_or_lf || result_.nul; }
  // The first bytes of the current header line, lowercased.
  static constexpr size_t kPrefixBytes = 16;
  char prefix_[kPrefixBytes] = {};
  size_t prefix_len_ = 0;
  size_t line_len_ = 0;
};

}  // namespace yubin::smtp

#endif  // YUBIN_LIB_SMTP_DATA_DECODER_H_
