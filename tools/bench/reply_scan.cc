#include "reply_scan.h"

namespace asobi::bench {
namespace {

// Position just after `"key"` followed by optional whitespace and a colon and whitespace,
// or npos.
size_t ValueStart(std::string_view json, std::string_view quoted_key) {
  size_t pos = json.find(quoted_key);
  if (pos == std::string_view::npos) return pos;
  size_t i = pos + quoted_key.size();
  auto skip_ws = [&] {
    while (i < json.size() &&
           (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
      ++i;
    }
  };
  skip_ws();
  if (i >= json.size() || json[i] != ':') return std::string_view::npos;
  ++i;
  skip_ws();
  return i < json.size() ? i : std::string_view::npos;
}

// The string (without quotes, escapes not decoded) or bare token starting at `i`.
std::string_view ValueText(std::string_view json, size_t i, bool* quoted) {
  if (json[i] == '"') {
    *quoted = true;
    size_t end = json.find('"', i + 1);
    if (end == std::string_view::npos) return {};
    return json.substr(i + 1, end - i - 1);
  }
  *quoted = false;
  size_t end = i;
  while (end < json.size() && json[end] != ',' && json[end] != '}' && json[end] != ' ') ++end;
  return json.substr(i, end - i);
}

}  // namespace

ReplyScan ScanReply(std::string_view json) {
  ReplyScan r;
  bool quoted = false;
  size_t t = ValueStart(json, "\"type\"");
  if (t != std::string_view::npos) {
    std::string_view v = ValueText(json, t, &quoted);
    if (quoted) r.type = v;
    r.is_error = quoted && v == "error";
  }
  size_t c = ValueStart(json, "\"cid\"");
  if (c == std::string_view::npos) return r;
  std::string_view v = ValueText(json, c, &quoted);
  if (v.empty() && !quoted) return r;
  if (!quoted && (v == "null" || v == "true" || v == "false")) {
    r.has_cid = true;
    r.cid = v;
    return r;
  }
  r.has_cid = true;
  r.cid = v;
  if (v.empty() || v.size() > 19) return r;
  uint64_t n = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9') return r;
    n = n * 10 + uint64_t(ch - '0');
  }
  r.cid_numeric = true;
  r.cid_value = n;
  return r;
}

}  // namespace asobi::bench
