#include "game/rpc/rpc_names.h"

namespace asobi::rpc {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Dot-separated segments of name characters, none empty.
bool IsDottedName(std::string_view s) {
  if (s.empty() || s.size() > 128 || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsNameChar(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

}  // namespace

std::string_view NamespaceOf(std::string_view name) { return name.substr(0, name.find('.')); }

bool IsMethodName(std::string_view name) {
  return IsDottedName(name) && name.find('.') != std::string_view::npos &&
         NamespaceOf(name) != "asobi";
}

bool IsErrorCodeOf(std::string_view code, std::string_view ns) {
  return code.size() > ns.size() + 1 && code.substr(0, ns.size()) == ns && code[ns.size()] == '.' &&
         IsDottedName(code);
}

bool IsRelativeScriptPath(std::string_view rel) {
  if (rel.empty() || rel.front() == '/' || rel.size() < 5) return false;
  if (rel.substr(rel.size() - 4) != ".lua") return false;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view seg = rel.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

bool IsValidRpcCid(std::string_view cid_json) {
  if (cid_json.size() < 2 || cid_json.front() != '"' || cid_json.back() != '"') return false;
  size_t bytes = 0;
  for (size_t i = 1; i + 1 < cid_json.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(cid_json[i]);
    if (c == '\\') {
      // The writer escapes `"` and `\` (both printable); any other escape stands for a
      // control character or a code point outside 0x20-0x7E.
      if (i + 2 >= cid_json.size()) return false;
      char e = cid_json[++i];
      if (e != '"' && e != '\\' && e != '/') return false;
    } else if (c < 0x20 || c > 0x7E) {
      return false;
    }
    if (++bytes > 64) return false;
  }
  return bytes >= 1;
}

}  // namespace asobi::rpc
