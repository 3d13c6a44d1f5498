#include "game/season/season_config.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "protocol/json_value.h"

namespace asobi::season {
namespace {

Error Bad(std::string what) { return MakeError("bad_seasons", std::move(what)); }

bool ValidUtf8(std::string_view s) {
  return s.find('\0') == std::string_view::npos && simdjson::validate_utf8(s.data(), s.size());
}

bool ValidBoardId(std::string_view s) {
  return !s.empty() && s.size() <= kMaxBoardIdBytes && ValidUtf8(s);
}

// Reads the `leaderboards` array of one season.
Result<std::vector<std::string>> ParseBoards(simdjson::dom::element v, const std::string& where) {
  simdjson::dom::array items;
  if (v.get_array().get(items) != simdjson::SUCCESS) {
    return Bad(where + ": leaderboards must be an array of board ids");
  }
  std::vector<std::string> out;
  for (simdjson::dom::element item : items) {
    std::string_view id;
    if (item.get_string().get(id) != simdjson::SUCCESS || !ValidBoardId(id)) {
      return Bad(where + ": a leaderboard id must be a string of 1-180 bytes");
    }
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      return Bad(where + ": leaderboard " + std::string(id) + " listed twice");
    }
    out.emplace_back(id);
  }
  if (out.size() > kMaxBoardsPerSeason) return Bad(where + ": more than 32 leaderboards");
  return out;
}

// Reads one season object; `index` names it in errors.
Result<Season> ParseSeason(simdjson::dom::element v, size_t index) {
  std::string where = "season " + std::to_string(index);
  simdjson::dom::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return Bad(where + ": not an object");
  Season s;
  bool has_id = false, has_name = false, has_start = false, has_end = false;
  for (auto field : obj) {
    std::string_view key = field.key;
    if (key == "id") {
      std::string_view id;
      has_id = field.value.get_string().get(id) == simdjson::SUCCESS && ValidSeasonId(id);
      if (!has_id) return Bad(where + ": id must be 1-64 bytes of A-Z a-z 0-9 . _ -");
      s.id = std::string(id);
      where = "season " + s.id;
    } else if (key == "name") {
      std::string_view name;
      has_name = field.value.get_string().get(name) == simdjson::SUCCESS && !name.empty() &&
                 name.size() <= kMaxNameBytes && ValidUtf8(name);
      if (!has_name) return Bad(where + ": name must be a string of 1-255 bytes");
      s.name = std::string(name);
    } else if (key == "starts_at" || key == "ends_at") {
      int64_t ms = 0;
      if (field.value.get_int64().get(ms) != simdjson::SUCCESS || ms < 0 || ms > int64_t(1) << 53) {
        return Bad(where + ": " + std::string(key) + " must be Unix ms (an integer >= 0)");
      }
      (key == "starts_at" ? s.starts_at_ms : s.ends_at_ms) = ms;
      (key == "starts_at" ? has_start : has_end) = true;
    } else if (key == "leaderboards") {
      Result<std::vector<std::string>> boards = ParseBoards(field.value, where);
      if (!boards.ok()) return boards.error();
      s.leaderboards = std::move(boards.value());
    } else if (key == "rewards") {
      std::string text = simdjson::minify(field.value);
      Result<std::vector<tournament::RewardRange>> r = tournament::ParseRewards(text);
      if (!r.ok() || !field.value.is_array()) {
        return Bad(where + ": rewards must be an array of {from, to, currency, amount}");
      }
      s.rewards = std::move(r.value());
      s.rewards_json = std::move(text);
    } else if (key == "config") {
      if (!field.value.is_object()) return Bad(where + ": config must be an object");
      s.config_json = simdjson::minify(field.value);
      if (s.config_json.size() > kMaxConfigBytes) return Bad(where + ": config over 16384 bytes");
    } else {
      return Bad(where + ": unknown key " + std::string(key));
    }
  }
  if (!has_id || !has_name || !has_start || !has_end) {
    return Bad(where + ": id, name, starts_at and ends_at are required");
  }
  if (s.starts_at_ms >= s.ends_at_ms) return Bad(where + ": starts_at must be before ends_at");
  return s;
}

}  // namespace

bool ValidSeasonId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes || id == "current") return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<SeasonList> ParseSeasons(std::string_view json) {
  if (json.size() > kMaxFileBytes) return Bad("the seasons file is over 1 MiB");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Bad("the seasons file is not valid JSON");
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return Bad("expected {\"seasons\": [...]}");
  SeasonList out;
  bool has_list = false;
  for (auto field : obj) {
    if (field.key != "seasons") return Bad("unknown key " + std::string(field.key));
    simdjson::dom::array items;
    if (field.value.get_array().get(items) != simdjson::SUCCESS) {
      return Bad("seasons must be an array");
    }
    has_list = true;
    if (items.size() > kMaxSeasons) return Bad("more than 1000 seasons");
    size_t index = 0;
    for (simdjson::dom::element item : items) {
      Result<Season> s = ParseSeason(item, index++);
      if (!s.ok()) return s.error();
      out.push_back(std::move(s.value()));
    }
  }
  if (!has_list) return Bad("expected {\"seasons\": [...]}");
  std::sort(out.begin(), out.end(), [](const Season& a, const Season& b) {
    return a.starts_at_ms != b.starts_at_ms ? a.starts_at_ms < b.starts_at_ms : a.id < b.id;
  });
  std::set<std::string_view> ids;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!ids.insert(out[i].id).second) return Bad("season " + out[i].id + " defined twice");
    if (i > 0 && out[i].starts_at_ms < out[i - 1].ends_at_ms) {
      return Bad("seasons " + out[i - 1].id + " and " + out[i].id + " overlap");
    }
  }
  return out;
}

Result<std::shared_ptr<const SeasonList>> LoadSeasonsFile(const std::string& path) {
  if (path.empty()) return std::make_shared<const SeasonList>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad("cannot read the seasons file " + path);
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, size_t(in.gcount()));
    if (text.size() > kMaxFileBytes) return Bad("the seasons file is over 1 MiB");
  }
  Result<SeasonList> list = ParseSeasons(text);
  if (!list.ok()) return list.error();
  return std::make_shared<const SeasonList>(std::move(list.value()));
}

const Season* CurrentSeason(const SeasonList& seasons, int64_t now_ms) {
  for (const Season& s : seasons) {
    if (s.starts_at_ms <= now_ms && now_ms < s.ends_at_ms) return &s;
  }
  return nullptr;
}

}  // namespace asobi::season
