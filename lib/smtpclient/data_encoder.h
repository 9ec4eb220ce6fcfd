// data_encoder.h: message text to the bytes sent after DATA (RFC 5321 4.5.2).
//
//   DataEncoder enc;
//   std::string wire;
//   enc.Encode("a\n.b\r\nc", &wire);   // wire == "a\r\n..b\r\nc"
//   enc.Finish(&wire);                 // wire += "\r\n.\r\n"
//
// Line ends are normalised to CRLF: LF and CRLF become CRLF, and a CR that
// is not followed by LF also becomes CRLF, so a bare CR or a bare LF never
// leaves this host (no SMTP smuggling through us: a peer cannot be made to
// see an end of data we did not mean). A '.' at the start of a line is
// doubled. Finish() ends an unterminated last line and adds ".\r\n".
// Streaming: the input may be split anywhere, even inside a CRLF.
#ifndef YUBIN_LIB_SMTPCLIENT_DATA_ENCODER_H_
#define YUBIN_LIB_SMTPCLIENT_DATA_ENCODER_H_

#include <string>
#include <string_view>

namespace yubin::smtpclient {

class DataEncoder {
 public:
  void Encode(std::string_view in, std::string* out);
  void Finish(std::string* out);

 private:
  bool at_line_start_ = true;
  bool pending_cr_ = false;
};

}  // namespace yubin::smtpclient

#endif  // YUBIN_LIB_SMTPCLIENT_DATA_ENCODER_H_
