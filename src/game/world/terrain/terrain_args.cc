#include "game/world/terrain/terrain_args.h"

#include <cmath>
#include <cstdio>

namespace asobi::world::terrain {
namespace {

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

TerrainArgs::TerrainArgs(std::string_view json) {
  if (json.empty()) return;
  simdjson::dom::element root;
  if (parser_.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    Fail("args are not valid JSON");
    return;
  }
  if (root.get_object().get(object_) == simdjson::SUCCESS) {
    has_object_ = true;
    return;
  }
  simdjson::dom::array a;
  if (root.get_array().get(a) == simdjson::SUCCESS && a.size() == 0) return;  // empty table
  if (root.is_null()) return;
  Fail("args must be a table");
}

std::optional<simdjson::dom::element> TerrainArgs::Get(std::string_view key) {
  read_.emplace(key);
  if (!has_object_) return std::nullopt;
  simdjson::dom::element v;
  if (object_.at_key(key).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

int64_t TerrainArgs::Int(std::string_view key, int64_t lo, int64_t hi, int64_t dflt) {
  std::optional<simdjson::dom::element> v = Get(key);
  if (!v) return dflt;
  double d = 0;
  int64_t i = 0;
  if (v->get_int64().get(i) == simdjson::SUCCESS) {
    if (i >= lo && i <= hi) return i;
  } else if (v->get_double().get(d) == simdjson::SUCCESS && d == std::floor(d) && d >= double(lo) &&
             d <= double(hi)) {
    return static_cast<int64_t>(d);
  }
  Fail(std::string(key) + " must be an integer from " + std::to_string(lo) + " to " +
       std::to_string(hi));
  return dflt;
}

double TerrainArgs::Number(std::string_view key, double lo, double hi, double dflt, bool lo_open) {
  std::optional<simdjson::dom::element> v = Get(key);
  if (!v) return dflt;
  double d = 0;  // simdjson converts integers too
  if (v->get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) &&
      (lo_open ? d > lo : d >= lo) && d <= hi) {
    return d;
  }
  Fail(std::string(key) + " must be a number " + (lo_open ? "above " : "from ") + Fmt(lo) + " to " +
       Fmt(hi));
  return dflt;
}

void TerrainArgs::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

Status TerrainArgs::Finish(std::string_view provider) {
  if (error_.empty() && has_object_) {
    for (auto [key, value] : object_) {
      (void)value;
      if (!read_.count(key)) {
        error_ = "unknown argument " + std::string(key);
        break;
      }
    }
  }
  if (error_.empty()) return Ok{};
  return MakeError("invalid_terrain_args", std::string(provider) + ": " + error_);
}

}  // namespace asobi::world::terrain
