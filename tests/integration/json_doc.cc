#include "json_doc.h"

namespace asobi::itest {

JsonDoc::JsonDoc() : parser_(std::make_unique<simdjson::dom::parser>()) {}
JsonDoc::~JsonDoc() = default;
JsonDoc::JsonDoc(JsonDoc&&) noexcept = default;
JsonDoc& JsonDoc::operator=(JsonDoc&&) noexcept = default;

bool JsonDoc::Parse(std::string_view text) {
  text_.assign(text);
  ok_ = parser_->parse(text_).get(root_) == simdjson::SUCCESS;
  return ok_;
}

std::optional<JsonValue> JsonDoc::At(JsonPath path) const {
  if (!ok_) return std::nullopt;
  JsonValue v = root_;
  for (std::string_view key : path) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) == simdjson::SUCCESS) {  // a decimal key indexes an array
      size_t index = 0;
      if (key.empty() || key.find_first_not_of("0123456789") != std::string_view::npos ||
          key.size() > 9) {
        return std::nullopt;
      }
      for (char c : key) index = index * 10 + size_t(c - '0');
      if (arr.at(index).get(v) != simdjson::SUCCESS) return std::nullopt;
      continue;
    }
    std::optional<JsonValue> next = GetField(v, key);
    if (!next) return std::nullopt;
    v = *next;
  }
  return v;
}

std::optional<std::string> JsonDoc::Str(JsonPath path) const {
  std::optional<JsonValue> v = At(path);
  std::string_view s;
  if (!v || v->get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

std::optional<int64_t> JsonDoc::Int(JsonPath path) const {
  std::optional<JsonValue> v = At(path);
  int64_t n;
  if (!v || v->get_int64().get(n) != simdjson::SUCCESS) return std::nullopt;
  return n;
}

std::optional<std::string> JsonDoc::Raw(JsonPath path) const {
  std::optional<JsonValue> v = At(path);
  if (!v) return std::nullopt;
  return ToJson(*v);
}

bool JsonDoc::IsObjectAt(JsonPath path) const {
  std::optional<JsonValue> v = At(path);
  return v && IsObject(*v);
}

std::string Minify(std::string_view json) {
  JsonDoc doc;
  if (!doc.Parse(json)) return {};
  return *doc.Raw({});
}

}  // namespace asobi::itest
