// HTTP/1.1 request parser. See http_parser.h for the accepted grammar and decisions.
#include "http/http_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "http/http_chars.h"

namespace asobi::http {
namespace {

/// Facts gathered from the header fields that decide framing and connection reuse.
struct HeaderFacts {
  uint64_t content_length = 0;
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  int host_count = 0;
  bool connection_close = false;
  bool connection_keep_alive = false;
  bool expect_continue = false;
  bool bad = false;  // a field value that breaks framing (Content-Length syntax/conflict)
};

/// The request line's parts, as views into the parsed buffer.
struct RequestLine {
  std::string_view method;
  std::string_view target;
  int version_minor = 1;
  size_t end = 0;  // offset just past its CRLF
};

ParseResult Error(int status, std::string_view code) {
  ParseResult r;
  r.status = ParseStatus::kError;
  r.http_status = status;
  r.code = code;
  return r;
}
ParseResult BadRequest() { return Error(400, "bad_request"); }
ParseResult NeedMore() { return ParseResult{}; }
ParseResult Complete() {
  ParseResult r;
  r.status = ParseStatus::kComplete;
  return r;
}

// Parses `method SP target SP HTTP/d.d CRLF` starting at `pos`, validating as far as the
// bytes go so that garbage and over-long lines fail before the line is complete.
ParseResult ParseRequestLine(std::string_view buf, size_t pos, const HttpLimits& limits,
                             RequestLine* rl) {
  const size_t n = buf.size();
  size_t i = pos;
  const size_t method_end = std::min(n, pos + kMethodBytesMax + 1);
  while (i < method_end && IsTchar(buf[i])) ++i;
  if (i - pos > kMethodBytesMax) return BadRequest();
  if (i == n) return NeedMore();
  if (buf[i] != ' ' || i == pos) return BadRequest();
  rl->method = buf.substr(pos, i - pos);

  const size_t t_start = ++i;
  const size_t t_end = std::min(n, t_start + limits.uri_bytes_max + 1);
  i += TargetCharsSpan(buf.data() + i, t_end - i);
  if (i - t_start > limits.uri_bytes_max) return Error(414, "uri_too_long");
  if (i == n) return NeedMore();
  if (buf[i] != ' ' || i == t_start) return BadRequest();
  rl->target = buf.substr(t_start, i - t_start);

  static constexpr std::string_view kPattern = "HTTP/d.d\r\n";
  const size_t v = ++i;
  for (size_t k = 0; k < kPattern.size(); ++k) {
    if (v + k == n) return NeedMore();
    const char c = buf[v + k];
    const bool ok = kPattern[k] == 'd' ? (c >= '0' && c <= '9') : c == kPattern[k];
    if (!ok) return BadRequest();
  }
  if (buf[v + 5] != '1' || buf[v + 7] > '1') return Error(505, "http_version_not_supported");
  rl->version_minor = buf[v + 7] - '0';
  rl->end = v + kPattern.size();
  return Complete();
}

// Digits only, saturating at UINT64_MAX (which is then > any body limit → 413).
bool ParseContentLength(std::string_view v, uint64_t* out) {
  if (v.empty()) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      n = std::numeric_limits<uint64_t>::max();
    } else {
      n = n * 10 + d;
    }
  }
  *out = n;
  return true;
}

void NoteConnectionTokens(std::string_view v, HeaderFacts* f) {
  while (!v.empty()) {
    const size_t comma = v.find(',');
    const std::string_view token = TrimOws(v.substr(0, comma));
    if (EqualsIgnoreCase(token, "close")) f->connection_close = true;
    if (EqualsIgnoreCase(token, "keep-alive")) f->connection_keep_alive = true;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

// Records what a field means for framing. `name` is already lowercase.
void NoteField(std::string_view name, std::string_view value, HeaderFacts* f) {
  switch (name.size()) {
    case 4:
      if (name == "host") ++f->host_count;
      break;
    case 6:
      if (name == "expect" && EqualsIgnoreCase(value, "100-continue")) f->expect_continue = true;
      break;
    case 10:
      if (name == "connection") NoteConnectionTokens(value, f);
      break;
    case 14:
      if (name == "content-length") {
        uint64_t n = 0;
        if (!ParseContentLength(value, &n) || (f->has_content_length && n != f->content_length)) {
          f->bad = true;
        }
        f->has_content_length = true;
        f->content_length = n;
      }
      break;
    case 17:
      if (name == "transfer-encoding") f->has_transfer_encoding = true;
      break;
    default:
      break;
  }
}

// Checks one `name: value` line (without CRLF); on success sets the name's length and the
// trimmed value.
bool CheckField(std::string_view line, size_t* name_len, std::string_view* value) {
  size_t colon = 0;
  while (colon < line.size() && IsTchar(line[colon])) ++colon;
  if (colon == 0 || colon == line.size() || line[colon] != ':') return false;
  *value = TrimOws(line.substr(colon + 1));
  if (!AllFieldValueChars(*value)) return false;
  *name_len = colon;
  return true;
}

// Parses one `name: value` line (without CRLF) into out->headers[index].
bool ParseField(std::string_view line, size_t index, HttpRequest* out, HeaderFacts* f) {
  size_t name_len = 0;
  std::string_view value;
  if (!CheckField(line, &name_len, &value)) return false;
  if (index == out->headers.size()) out->headers.emplace_back();
  auto& [name, stored_value] = out->headers[index];
  name.assign(line.data(), name_len);
  for (char& c : name) c = ToLowerAscii(c);
  stored_value.assign(value);
  NoteField(name, stored_value, f);
  return true;
}

// Checks the complete header lines after the cursor without storing them, advancing the
// cursor. kComplete: the empty line that ends the section is in `buf` (parse it in full);
// kNeedMore: it is not yet; kError: a line is malformed or a limit is passed. Lines before
// the cursor were checked by an earlier call, so each byte is scanned once while the section
// is incomplete.
ParseResult ScanHeaders(std::string_view buf, size_t start, const HttpLimits& limits,
                        ParseCursor* cursor) {
  const size_t n = buf.size();
  const size_t scan_end = std::min(n, start + limits.header_bytes_max);
  size_t pos = start;
  size_t count = 0;
  if (cursor->header_lines_end > start) {
    pos = cursor->header_lines_end;
    count = cursor->header_lines;
  }
  for (;;) {
    const void* hit =
        pos < scan_end ? std::memchr(buf.data() + pos, '\n', scan_end - pos) : nullptr;
    if (hit == nullptr) {
      cursor->header_lines_end = pos;
      cursor->header_lines = count;
      if (n - start >= limits.header_bytes_max) return Error(431, "headers_too_large");
      return NeedMore();
    }
    const size_t lf = static_cast<size_t>(static_cast<const char*>(hit) - buf.data());
    if (lf == pos || buf[lf - 1] != '\r') return BadRequest();  // bare LF
    const std::string_view line = buf.substr(pos, lf - 1 - pos);
    if (line.empty()) return Complete();
    if (count == limits.headers_count_max) return Error(431, "headers_too_large");
    size_t name_len = 0;
    std::string_view value;
    if (!CheckField(line, &name_len, &value)) return BadRequest();
    ++count;
    pos = lf + 1;
  }
}

// Parses header lines from `start` up to and including the empty line; `*end` is set past it.
ParseResult ParseHeaders(std::string_view buf, size_t start, const HttpLimits& limits,
                         HttpRequest* out, HeaderFacts* f, size_t* end) {
  const size_t n = buf.size();
  const size_t scan_end = std::min(n, start + limits.header_bytes_max);
  size_t pos = start;
  size_t count = 0;
  for (;;) {
    const void* hit =
        pos < scan_end ? std::memchr(buf.data() + pos, '\n', scan_end - pos) : nullptr;
    if (hit == nullptr) {
      if (n - start >= limits.header_bytes_max) return Error(431, "headers_too_large");
      return NeedMore();
    }
    const size_t lf = static_cast<size_t>(static_cast<const char*>(hit) - buf.data());
    if (lf == pos || buf[lf - 1] != '\r') return BadRequest();  // bare LF
    const std::string_view line = buf.substr(pos, lf - 1 - pos);
    pos = lf + 1;
    if (line.empty()) break;
    if (count == limits.headers_count_max) return Error(431, "headers_too_large");
    if (!ParseField(line, count, out, f)) return BadRequest();
    ++count;
  }
  out->headers.resize(count);
  if (f->bad) return BadRequest();
  *end = pos;
  return Complete();
}

// Splits an origin-form or absolute-form target into path and query.
bool SplitTarget(std::string_view target, std::string_view* path, std::string_view* query) {
  std::string_view rest = target;
  if (target.front() != '/') {
    size_t skip = 0;
    if (StartsWithIgnoreCase(target, "http://")) {
      skip = 7;
    } else if (StartsWithIgnoreCase(target, "https://")) {
      skip = 8;
    } else {
      return false;
    }
    const size_t authority_end = target.find_first_of("/?", skip);
    if (authority_end == skip || skip == target.size()) return false;
    rest =
        authority_end == std::string_view::npos ? std::string_view() : target.substr(authority_end);
  }
  const size_t q = rest.find('?');
  *path = rest.substr(0, q);
  *query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  if (path->empty()) *path = "/";
  return true;
}

// POST, PUT and PATCH carry a body, so rest.md §4.3 wants its Content-Length.
}  // namespace

ParseResult ParseRequest(std::string_view buf, const HttpLimits& limits, HttpRequest* out,
                         size_t* consumed, ParseCursor* cursor) {
  *consumed = 0;
  size_t pos = 0;
  if (!buf.empty() && buf[0] == '\r') {  // one empty line before the request line is ignored
    if (buf.size() < 2) return NeedMore();
    if (buf[1] != '\n') return BadRequest();
    pos = 2;
  }
  RequestLine rl;
  ParseResult r = ParseRequestLine(buf, pos, limits, &rl);
  if (r.status != ParseStatus::kComplete) return r;
  if (cursor != nullptr) {
    r = ScanHeaders(buf, rl.end, limits, cursor);
    if (r.status != ParseStatus::kComplete) return r;
  }
  HeaderFacts f;
  size_t body_start = 0;
  r = ParseHeaders(buf, rl.end, limits, out, &f, &body_start);
  if (r.status != ParseStatus::kComplete) return r;

  std::string_view path, query;
  if (!SplitTarget(rl.target, &path, &query)) return BadRequest();
  if (f.host_count > 1 || (rl.version_minor == 1 && f.host_count == 0 && limits.require_host)) {
    return BadRequest();
  }
  // rest.md §4.3: a body must come with Content-Length; a body we cannot size (any
  // Transfer-Encoding) is 411. Without either header a request has no body (RFC 9112 §6.3):
  // Godot's HTTPClient sends body-less POSTs that way (docs/decisions.md).
  if (f.has_transfer_encoding) {
    return Error(411, "length_required");
  }
  if (f.content_length > limits.body_bytes_max) return Error(413, "payload_too_large");
  const size_t total = body_start + static_cast<size_t>(f.content_length);
  if (buf.size() < total) {
    r = NeedMore();
    r.request_bytes = total;
    r.expect_continue = f.expect_continue;
    return r;
  }
  out->method.assign(rl.method);
  out->target.assign(rl.target);
  out->path.assign(path);
  out->query.assign(query);
  out->version_minor = rl.version_minor;
  out->body.assign(buf.substr(body_start, static_cast<size_t>(f.content_length)));
  out->keep_alive = rl.version_minor == 1 ? !f.connection_close
                                          : (f.connection_keep_alive && !f.connection_close);
  *consumed = total;
  return Complete();
}

}  // namespace asobi::http
