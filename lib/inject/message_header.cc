#include "lib/inject/message_header.h"

namespace yubin::inject {

std::optional<std::string_view> FieldNameOf(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] > 32 && line[i] < 127 && line[i] != ':') ++i;
  size_t name_end = i;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (name_end == 0 || i >= line.size() || line[i] != ':') return std::nullopt;
  return line.substr(0, name_end);
}

bool FieldNameIs(const HeaderField& field, std::string_view lower_name) {
  if (field.name.size() != lower_name.size()) return false;
  for (size_t i = 0; i < lower_name.size(); ++i) {
    char c = field.name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_name[i]) return false;
  }
  return true;
}

std::string_view FieldBody(const HeaderField& field) {
  std::string_view t = field.text;
  size_t colon = t.find(':');
  return colon == std::string_view::npos ? std::string_view() : t.substr(colon + 1);
}

Result<bool> MessageHeaderBuilder::AddLine(std::string line) {
  if (line.size() > kMaxMessageLineBytes) {
    return Status::Permanent("header line longer than 65536 bytes");
  }
  if (first_ && line.rfind("From ", 0) == 0) {
    first_ = false;
    return false;
  }
  first_ = false;
  if (line.empty()) return true;
  total_ += line.size() + 1;
  if (total_ > kMaxHeaderBytes) {
    return Status::Permanent("header longer than 1 MiB");
  }
  if ((line[0] == ' ' || line[0] == '\t') && !header_.fields.empty()) {
    HeaderField& last = header_.fields.back();
    if (last.text.size() + line.size() + 1 > kMaxHeaderFieldBytes) {
      return Status::Permanent("header field " + last.name +
                               " longer than 65536 bytes");
    }
    last.text += line;
    last.text += '\n';
    return false;
  }
  std::optional<std::string_view> name = FieldNameOf(line);
  if (!name) {
    header_.first_body_line = std::move(line);
    return true;
  }
  if (header_.fields.size() >= kMaxHeaderFields) {
    return Status::Permanent("more than 2000 header fields");
  }
  std::string field_name(*name);
  line += '\n';
  header_.fields.push_back(HeaderField{std::move(field_name), std::move(line)});
  return false;
}

MessageHeader MessageHeaderBuilder::Finish(bool input_ended) {
  header_.input_ended = input_ended;
  return std::move(header_);
}

Result<MessageHeader> ReadMessageHeader(MessageLineReader* lines) {
  MessageHeaderBuilder builder;
  std::string line;
  for (;;) {
    MessageLine got = lines->Next(&line);
    if (got == MessageLine::kError) {
      return Status::FromErrno("read message", lines->error_number());
    }
    if (got == MessageLine::kEnd) return builder.Finish(true);
    if (got == MessageLine::kPiece) {
      return Status::Permanent("header line longer than 65536 bytes");
    }
    Result<bool> done = builder.AddLine(std::move(line));
    if (!done.ok()) return done.status();
    if (*done) return builder.Finish(false);
  }
}

Result<MessageHeader> ParseMessageHeader(std::string_view text) {
  MessageHeaderBuilder builder;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Result<bool> done = builder.AddLine(std::string(line));
    if (!done.ok()) return done.status();
    if (*done) return builder.Finish(text.empty());
  }
  return builder.Finish(true);
}

}  // namespace yubin::inject
