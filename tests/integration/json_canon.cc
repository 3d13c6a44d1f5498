#include "json_canon.h"

#include <map>

#include "json_doc.h"

namespace asobi::itest {

void Canon(simdjson::dom::element v, std::string* out) {
  if (v.type() == simdjson::dom::element_type::OBJECT) {
    std::map<std::string, simdjson::dom::element> sorted;
    for (auto field : v.get_object()) sorted[std::string(field.key)] = field.value;
    out->push_back('{');
    bool first = true;
    for (auto& [k, e] : sorted) {
      if (!first) out->push_back(',');
      first = false;
      out->append("\"" + k + "\":");
      Canon(e, out);
    }
    out->push_back('}');
  } else if (v.type() == simdjson::dom::element_type::ARRAY) {
    out->push_back('[');
    bool first = true;
    for (auto e : v.get_array()) {
      if (!first) out->push_back(',');
      first = false;
      Canon(e, out);
    }
    out->push_back(']');
  } else {
    out->append(simdjson::minify(v));
  }
}

std::string Canon(const std::string& json) {
  JsonDoc d;
  if (!d.Parse(json)) return "<invalid:" + json + ">";
  std::string out;
  Canon(*d.At({}), &out);
  return out;
}

}  // namespace asobi::itest
