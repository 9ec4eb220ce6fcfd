#include "lib/inject/header_rewrite.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lib/inject/address_list.h"

namespace yubin::inject {
namespace {

constexpr const char* kAddressFields[] = {
    "from",        "sender",          "reply-to",         "to",
    "cc",          "bcc",             "mail-followup-to", "resent-from",
    "resent-sender", "resent-reply-to", "resent-to",      "resent-cc",
    "resent-bcc"};
constexpr const char* kRemovedFields[] = {"bcc", "resent-bcc", "return-path",
                                          "content-length"};
constexpr const char* kRecipientFields[] = {"to", "cc", "bcc"};
constexpr const char* kResentRecipientFields[] = {"resent-to", "resent-cc",
                                                  "resent-bcc"};

template <size_t N>
bool NameIn(const HeaderField& f, const char* const (&names)[N]) {
  for (const char* n : names) {
    if (FieldNameIs(f, n)) return true;
  }
  return false;
}

bool IsAtomText(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return c == ' ' || std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr ||
         static_cast<unsigned char>(c) >= 128;
}

constexpr size_t kEncodedWordChunkBytes = 45;  // 60 base64 chars, 72 in all

// RFC 2047 encoded words for a name with non-ASCII bytes; chunks never split
// a UTF-8 sequence, so each word decodes on its own.
std::string EncodeWords(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    size_t n = std::min(name.size(), kEncodedWordChunkBytes);
    while (n < name.size() && n > 1 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) {
      --n;
    }
    char b64[sodium_base64_ENCODED_LEN(kEncodedWordChunkBytes,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, reinterpret_cast<const unsigned char*>(name.data()),
                      n, sodium_base64_VARIANT_ORIGINAL);
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?";
    out += b64;
    out += "?=";
    name.remove_prefix(n);
  }
  return out;
}

}  // namespace

std::string FormatFromField(std::string_view full_name, std::string_view address) {
  std::string out = "From: ";
  if (full_name.empty()) {
    out += address;
    out += '\n';
    return out;
  }
  bool plain = full_name.front() != ' ' && full_name.back() != ' ';
  bool ascii = true;
  for (char c : full_name) {
    plain = plain && IsAtomText(c);
    ascii = ascii && static_cast<unsigned char>(c) < 128;
  }
  if (!ascii) {
    out += EncodeWords(full_name);
  } else if (plain) {
    out += full_name;
  } else {
    out += '"';
    for (char c : full_name) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += " <";
  out += address;
  out += ">\n";
  return out;
}

std::string MakeMessageId(time_t now, pid_t pid, std::string_view host) {
  if (sodium_init() < 0) std::abort();  // no entropy source: cannot go on safely
  unsigned char random[8];
  randombytes_buf(random, sizeof random);
  struct tm utc;
  gmtime_r(&now, &utc);
  char buf[96];
  std::snprintf(buf, sizeof buf,
                "<%04d%02d%02d%02d%02d%02d.%ld.%02x%02x%02x%02x%02x%02x%02x%02x@",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<long>(pid), random[0],
                random[1], random[2], random[3], random[4], random[5],
                random[6], random[7]);
  std::string id = buf;
  id += host;
  id += '>';
  return id;
}

Result<RewrittenHeader> RewriteHeader(const MessageHeader& header,
                                      const RewriteInputs& in) {
  const InjectDefaults& d = in.defaults;
  RewrittenHeader out;
  bool has_from = false, has_date = false, has_message_id = false;
  bool resent_recipients = false;
  for (const HeaderField& f : header.fields) {
    if (NameIn(f, kResentRecipientFields)) resent_recipients = true;
  }
  for (const HeaderField& f : header.fields) {
    if (FieldNameIs(f, "from")) has_from = true;
    if (FieldNameIs(f, "date")) has_date = true;
    if (FieldNameIs(f, "message-id")) has_message_id = true;

    bool is_recipient_field = resent_recipients ? NameIn(f, kResentRecipientFields)
                                                : NameIn(f, kRecipientFields);
    if (in.collect_recipients && is_recipient_field) {
      Result<std::vector<HeaderAddress>> list = ParseAddressList(FieldBody(f));
      if (!list.ok()) {
        return Status::Permanent("cannot read the recipients in " + f.name +
                                 ": " + list.status().message());
      }
      for (const HeaderAddress& a : *list) {
        out.recipients.push_back(
            QualifyAddress(a.address, d.default_host, d.default_domain));
      }
    }
    if (NameIn(f, kRemovedFields)) continue;
    if (NameIn(f, kAddressFields)) {
      std::string_view body = FieldBody(f);
      out.text.append(f.text, 0, f.text.size() - body.size());
      out.text += QualifyAddressList(body, d.default_host, d.default_domain);
      continue;
    }
    out.text += f.text;
  }
  if (!has_from) {
    out.text += FormatFromField(d.full_name, d.user + "@" + d.from_host);
  }
  if (!has_date) out.text += "Date: " + in.date + "\n";
  if (!has_message_id) out.text += "Message-ID: " + in.message_id + "\n";
  return out;
}

}  // namespace yubin::inject
