#include "game/social/group_input.h"

namespace asobi::social {
namespace {

// Characters (code points) of valid UTF-8 text.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void ReadName(JsonValue body, bool creating, GroupChanges* out, FieldProblems* problems) {
  std::optional<JsonValue> v = GetField(body, "name");
  if (!v) {
    if (creating) problems->push_back({"name", "can't be blank"});
    return;
  }
  if (v->is_null()) return problems->push_back({"name", "can't be blank"});
  std::optional<std::string_view> s = GetString(body, "name");
  if (!s) return problems->push_back({"name", "is invalid"});
  const size_t n = CodePoints(*s);
  if (n < kGroupNameMin) return problems->push_back({"name", "should be at least 2 character(s)"});
  if (n > kGroupNameMax) return problems->push_back({"name", "should be at most 64 character(s)"});
  out->name = std::string(*s);
}

void ReadDescription(JsonValue body, GroupChanges* out, FieldProblems* problems) {
  std::optional<JsonValue> v = GetField(body, "description");
  if (!v) return;
  out->set_description = true;
  if (v->is_null()) return;
  std::optional<std::string_view> s = GetString(body, "description");
  if (!s) return problems->push_back({"description", "is invalid"});
  if (CodePoints(*s) > kGroupDescriptionMax) {
    return problems->push_back({"description", "should be at most 1024 character(s)"});
  }
  out->description = std::string(*s);
}

void ReadMaxMembers(JsonValue body, bool creating, GroupChanges* out, FieldProblems* problems) {
  if (!GetField(body, "max_members")) {
    if (creating) out->max_members = 50;
    return;
  }
  std::optional<int64_t> n = GetInt(body, "max_members");
  if (!n) return problems->push_back({"max_members", "is invalid"});
  if (*n < 1 || *n > kGroupMembersMax) {
    return problems->push_back({"max_members", "must be between 1 and 1000"});
  }
  out->max_members = int32_t(*n);
}

void ReadOpen(JsonValue body, bool creating, GroupChanges* out, FieldProblems* problems) {
  if (!GetField(body, "open")) {
    if (creating) out->open = false;
    return;
  }
  std::optional<bool> b = GetBool(body, "open");
  if (!b) return problems->push_back({"open", "is invalid"});
  out->open = *b;
}

}  // namespace

FieldProblems ReadGroupFields(JsonValue body, bool creating, GroupChanges* out) {
  FieldProblems problems;
  ReadName(body, creating, out, &problems);
  ReadDescription(body, out, &problems);
  ReadMaxMembers(body, creating, out, &problems);
  ReadOpen(body, creating, out, &problems);
  return problems;
}

}  // namespace asobi::social
