#include "lib/smtpclient/data_encoder.h"

namespace yubin::smtpclient {

void DataEncoder::Encode(std::string_view in, std::string* out) {
  for (char c : in) {
    if (pending_cr_) {
      pending_cr_ = false;
      out->append("\r\n");
      at_line_start_ = true;
      if (c == '\n') continue;  // the CR's own LF
    }
    if (c == '\r') {
      pending_cr_ = true;
      continue;
    }
    if (c == '\n') {
      out->append("\r\n");
      at_line_start_ = true;
      continue;
    }
    if (at_line_start_ && c == '.') out->push_back('.');
    out->push_back(c);
    at_line_start_ = false;
  }
}

void DataEncoder::Finish(std::string* out) {
  if (pending_cr_ || !at_line_start_) out->append("\r\n");
  pending_cr_ = false;
  at_line_start_ = true;
  out->append(".\r\n");
}

}  // namespace yubin::smtpclient
