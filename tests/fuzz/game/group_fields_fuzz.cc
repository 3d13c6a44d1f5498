// Fuzz target: arbitrary bytes -> simdjson -> ReadGroupFields (the POST/PUT /groups body rules,
// rest.md §3.3), in both the create and the update mode. Must never crash; a valid result
// obeys every bound (name 2-64 characters, description <= 1024 characters, max_members
// 1-1000) and the create mode always fills name, max_members and open.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "game/social/group_input.h"
#include "simdjson.h"

namespace {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser* parser = new simdjson::dom::parser();
  simdjson::dom::element body;
  if (parser->parse(reinterpret_cast<const char*>(data), size).get(body) != simdjson::SUCCESS) {
    return 0;
  }
  for (bool creating : {true, false}) {
    asobi::social::GroupChanges f;
    asobi::social::FieldProblems problems = asobi::social::ReadGroupFields(body, creating, &f);
    for (const auto& [field, msg] : problems) Check(!field.empty() && !msg.empty());
    if (!problems.empty()) continue;
    if (creating) Check(f.name && f.max_members && f.open);
    if (f.name) Check(CodePoints(*f.name) >= 2 && CodePoints(*f.name) <= 64);
    if (f.description) Check(f.set_description && CodePoints(*f.description) <= 1024);
    if (f.max_members) Check(*f.max_members >= 1 && *f.max_members <= 1000);
  }
  return 0;
}
