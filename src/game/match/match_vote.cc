#include "game/match/match_vote.h"

#include <algorithm>
#include <cmath>

#include "base/uuid.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

thread_local simdjson::dom::parser t_vote_parser;

std::optional<double> Number(JsonValue obj, std::string_view key) {
  std::optional<JsonValue> v = GetField(obj, key);
  if (!v || !v->is_number()) return std::nullopt;
  double d = 0;
  if (v->get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) return std::nullopt;
  return d;
}

std::optional<bool> Bool(JsonValue obj, std::string_view key) {
  std::optional<JsonValue> v = GetField(obj, key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool().value();
}

}  // namespace

double FrustrationWeight(int streak) { return 1.0 + 0.5 * double(std::clamp(streak, 0, 4)); }

Result<VoteConfig> ParseVoteConfig(std::string_view json) {
  JsonValue root;
  if (t_vote_parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return MakeError("invalid_options", "not an object");
  }
  VoteConfig c;
  std::optional<JsonValue> options = GetField(root, "options");
  if (!options || !options->is_array()) return MakeError("invalid_options", "options missing");
  for (JsonValue o : options->get_array()) {
    std::optional<std::string_view> id = o.is_object() ? GetString(o, "id") : std::nullopt;
    if (!id || id->empty()) return MakeError("invalid_options", "an option has no string id");
    if (std::find(c.option_ids.begin(), c.option_ids.end(), *id) != c.option_ids.end()) {
      return MakeError("invalid_options", "duplicate option id");
    }
    c.option_ids.emplace_back(*id);
  }
  if (c.option_ids.empty()) return MakeError("invalid_options", "no options");
  c.options_json = ToJson(*options);
  if (auto v = GetString(root, "template"); v && !v->empty()) {
    if (v->size() > 255) return MakeError("invalid_template", "template over 255 bytes");
    c.template_name = std::string(*v);
  }
  if (auto v = GetString(root, "vote_id"); v && !v->empty() && v->size() <= 64) {
    c.vote_id = std::string(*v);
  } else {
    c.vote_id = NewUuidV7();
  }
  if (auto v = Number(root, "window_ms"); v && *v > 0 && *v <= 3600000) c.window_ms = int64_t(*v);
  if (auto v = GetString(root, "method")) c.method = std::string(*v);
  if (c.method != "plurality" && c.method != "approval" && c.method != "weighted" &&
      c.method != "ranked") {
    return MakeError("unsupported_method", c.method);
  }
  if (auto v = GetString(root, "window_type")) c.window_type = std::string(*v);
  if (c.window_type != "fixed" && c.window_type != "ready_up" && c.window_type != "hybrid" &&
      c.window_type != "adaptive") {
    return MakeError("unsupported_window_type", c.window_type);
  }
  if (auto v = Number(root, "min_window_ms"); v && *v >= 0 && *v <= 3600000) {
    c.min_window_ms = int64_t(*v);
  }
  if (auto v = GetField(root, "default_votes"); v && v->is_object())
    c.default_votes_json = ToJson(*v);
  if (auto v = GetField(root, "delegation"); v && v->is_object()) c.delegation_json = ToJson(*v);
  if (auto v = GetString(root, "visibility"); v && *v == "hidden") c.visibility = "hidden";
  if (auto v = GetString(root, "tie_breaker"); v && *v == "first") c.tie_breaker = "first";
  if (auto v = Number(root, "quorum"); v && *v >= 0 && *v <= 1) c.quorum = *v;
  if (auto v = Number(root, "supermajority"); v && *v > 0 && *v <= 1) c.supermajority = *v;
  if (auto v = Bool(root, "require_supermajority")) c.require_supermajority = *v;
  if (auto v = Bool(root, "veto_enabled")) c.veto_enabled = *v;
  if (auto v = Number(root, "max_revotes"); v && *v >= 0 && *v <= 1000) c.max_revotes = int(*v);
  return c;
}

Vote::Vote(VoteConfig config, std::vector<std::string> eligible, int64_t opened_unix_ms)
    : config_(std::move(config)), eligible_(std::move(eligible)), opened_unix_ms_(opened_unix_ms) {}

int Vote::OptionIndex(std::string_view id) const {
  for (size_t i = 0; i < config_.option_ids.size(); ++i) {
    if (config_.option_ids[i] == id) return int(i);
  }
  return -1;
}

std::string Vote::ParseBallot(JsonValue option, std::vector<int>* picked) const {
  if (config_.method == "approval" || config_.method == "ranked") {
    if (!option.is_array()) return "invalid_option";
    for (JsonValue e : option.get_array()) {
      std::string_view s;
      if (e.get(s) != simdjson::SUCCESS) return "invalid_option";
      const int i = OptionIndex(s);
      if (i < 0 || std::find(picked->begin(), picked->end(), i) != picked->end()) {
        return "invalid_option";
      }
      picked->push_back(i);
    }
    if (picked->empty() && config_.method == "ranked") return "invalid_option";
    return {};
  }
  std::string_view s;
  if (option.get(s) != simdjson::SUCCESS) return "invalid_option";
  const int i = OptionIndex(s);
  if (i < 0) return "invalid_option";
  picked->push_back(i);
  return {};
}

std::string Vote::Cast(const std::string& player_id, JsonValue option) {
  if (std::find(eligible_.begin(), eligible_.end(), player_id) == eligible_.end()) {
    return "not_eligible";
  }
  std::vector<int> picked;
  if (std::string reason = ParseBallot(option, &picked); !reason.empty()) return reason;
  for (Ballot& b : ballots_) {
    if (b.player_id != player_id) continue;
    if (b.changes >= config_.max_revotes) return "rate_limited";
    ++b.changes;
    b.options = std::move(picked);
    return {};
  }
  ballots_.push_back(Ballot{player_id, std::move(picked), 0});
  return {};
}

bool Vote::IsEligible(const std::string& player_id) const {
  return std::find(eligible_.begin(), eligible_.end(), player_id) != eligible_.end();
}

bool Vote::AllVoted() const { return ballots_.size() >= eligible_.size(); }

double Vote::WeightOf(const std::string& player_id) const {
  if (config_.method != "weighted") return 1.0;
  for (const auto& [p, w] : weights_) {
    if (p == player_id) return w;
  }
  return 1.0;
}

bool Vote::HasBallot(const std::string& player_id) const {
  for (const Ballot& b : ballots_) {
    if (b.player_id == player_id) return true;
  }
  return false;
}

std::vector<double> Vote::Counts() const {
  std::vector<double> counts(config_.option_ids.size(), 0.0);
  for (const Ballot& b : ballots_) {
    if (config_.method == "ranked") {  // first preferences
      if (!b.options.empty()) counts[size_t(b.options.front())] += 1.0;
      continue;
    }
    const double w = WeightOf(b.player_id);
    for (int i : b.options) counts[size_t(i)] += w;
  }
  return counts;
}

bool Vote::Decided() const {
  if (eligible_.empty()) return false;
  if (AllVoted()) return true;  // only revotes could still come: the tie breaker decides
  if (config_.method == "ranked") return false;
  const double turnout = double(ballots_.size()) / double(eligible_.size());
  if (turnout + 1e-9 < config_.quorum) return false;
  double remaining = 0.0;  // the most any option can still gain
  for (const std::string& p : eligible_) {
    if (!HasBallot(p)) remaining += WeightOf(p);
  }
  const std::vector<double> counts = Counts();
  size_t lead = 0;
  for (size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > counts[lead]) lead = i;
  }
  double second = 0.0;
  double counted = 0.0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i != lead) second = std::max(second, counts[i]);
  }
  for (const Ballot& b : ballots_) counted += WeightOf(b.player_id);
  if (counts[lead] <= second + remaining + 1e-9) return false;
  if (config_.require_supermajority) {
    const double worst = counted + remaining;
    return worst > 0 && counts[lead] / worst + 1e-9 >= config_.supermajority;
  }
  return true;
}

std::vector<std::pair<std::string, bool>> Vote::BallotOutcomes(const VoteResult& r) const {
  std::vector<std::pair<std::string, bool>> out;
  if (!r.winner) return out;
  const int w = OptionIndex(*r.winner);
  for (const Ballot& b : ballots_) {
    bool won = false;
    if (config_.method == "ranked") {
      won = !b.options.empty() && b.options.front() == w;
    } else {
      won = std::find(b.options.begin(), b.options.end(), w) != b.options.end();
    }
    out.emplace_back(b.player_id, won);
  }
  return out;
}

void Vote::ApplyDefaultsAndDelegation() {
  if (config_.default_votes_json == "{}" && config_.delegation_json == "{}") return;
  simdjson::dom::parser defaults_parser;
  simdjson::dom::parser delegation_parser;
  JsonValue defaults;
  JsonValue delegation;
  const bool has_defaults =
      defaults_parser.parse(config_.default_votes_json).get(defaults) == simdjson::SUCCESS;
  const bool has_delegation =
      delegation_parser.parse(config_.delegation_json).get(delegation) == simdjson::SUCCESS;
  std::vector<Ballot> added;
  for (const std::string& p : eligible_) {
    bool voted = false;
    for (const Ballot& b : ballots_) voted = voted || b.player_id == p;
    if (voted) continue;
    if (has_delegation) {
      if (std::optional<std::string_view> to = GetString(delegation, p)) {
        const Ballot* from = nullptr;
        for (const Ballot& b : ballots_) {
          if (b.player_id == *to) from = &b;
        }
        if (from != nullptr) {
          added.push_back(Ballot{p, from->options, 0});
          continue;
        }
      }
    }
    if (!has_defaults) continue;
    std::optional<JsonValue> def = GetField(defaults, p);
    std::vector<int> picked;
    if (def && ParseBallot(*def, &picked).empty() && !picked.empty()) {
      added.push_back(Ballot{p, std::move(picked), 0});
    }
  }
  for (Ballot& b : added) ballots_.push_back(std::move(b));
}

int Vote::RunOff(std::vector<int64_t>* counts, uint32_t (*pick)(uint32_t n)) const {
  const size_t n = config_.option_ids.size();
  std::vector<bool> out(n, false);
  size_t left = n;
  for (;;) {
    counts->assign(n, 0);
    int64_t live = 0;
    for (const Ballot& b : ballots_) {
      for (int i : b.options) {
        if (out[size_t(i)]) continue;
        ++(*counts)[size_t(i)];
        ++live;
        break;
      }
    }
    int64_t top = -1;
    for (size_t i = 0; i < n; ++i) {
      if (!out[i]) top = std::max(top, (*counts)[i]);
    }
    std::vector<size_t> tops;
    for (size_t i = 0; i < n; ++i) {
      if (!out[i] && (*counts)[i] == top) tops.push_back(i);
    }
    if ((live > 0 && top * 2 > live) || left == tops.size()) {
      if (tops.size() == 1 || config_.tie_breaker == "first") return int(tops.front());
      return int(tops[pick(uint32_t(tops.size()))]);
    }
    // Eliminate the weakest remaining option (the last in configured order among equals).
    size_t weakest = n;
    for (size_t i = 0; i < n; ++i) {
      if (!out[i] && (weakest == n || (*counts)[i] <= (*counts)[weakest])) weakest = i;
    }
    out[weakest] = true;
    --left;
  }
}

VoteResult Vote::Resolve(uint32_t (*pick)(uint32_t n)) {
  closed_ = true;
  ApplyDefaultsAndDelegation();
  VoteResult r;
  if (config_.method == "ranked") {
    std::vector<int64_t> rounds;
    const int winner = RunOff(&rounds, pick);
    r.counts.assign(rounds.begin(), rounds.end());
    r.total_votes = int64_t(ballots_.size());
    r.counted = double(r.total_votes);
    r.turnout = eligible_.empty() ? 0.0 : double(ballots_.size()) / double(eligible_.size());
    if (r.turnout + 1e-9 < config_.quorum) {
      r.status = "no_quorum";
      return r;
    }
    const double top = r.counts[size_t(winner)];
    if (config_.require_supermajority &&
        (r.total_votes == 0 || top / double(r.total_votes) + 1e-9 < config_.supermajority)) {
      r.status = "no_consensus";
      return r;
    }
    r.winner = config_.option_ids[size_t(winner)];
    r.status = "decided";
    return r;
  }
  r.counts = Counts();
  r.total_votes = int64_t(ballots_.size());
  r.counted = 0.0;
  for (const Ballot& b : ballots_) r.counted += WeightOf(b.player_id);
  r.turnout = eligible_.empty() ? 0.0 : double(ballots_.size()) / double(eligible_.size());
  if (r.turnout + 1e-9 < config_.quorum) {
    r.status = "no_quorum";
    return r;
  }
  const double top = *std::max_element(r.counts.begin(), r.counts.end());
  std::vector<size_t> tied;
  for (size_t i = 0; i < r.counts.size(); ++i) {
    if (r.counts[i] == top) tied.push_back(i);
  }
  if (config_.require_supermajority &&
      (r.total_votes == 0 || top / r.counted + 1e-9 < config_.supermajority || tied.size() > 1)) {
    r.status = "no_consensus";
    return r;
  }
  size_t winner = tied.front();  // "first": the earliest option in configured order
  if (config_.tie_breaker == "random" && tied.size() > 1) {
    winner = tied[pick(uint32_t(tied.size()))];
  }
  r.winner = config_.option_ids[winner];
  r.status = "decided";
  return r;
}

std::string Vote::CountsJson(const std::vector<double>& counts) const {
  JsonWriter w;
  w.BeginObject();
  for (size_t i = 0; i < counts.size(); ++i) {
    w.Key(config_.option_ids[i]);
    // Ballot counts are integers; only weighted sums may have a fraction.
    if (counts[i] == std::floor(counts[i]) && std::fabs(counts[i]) < 9007199254740992.0) {
      w.Int(int64_t(counts[i]));
    } else {
      w.Double(counts[i]);
    }
  }
  w.EndObject();
  return w.Take();
}

std::string Vote::DistributionJson(const std::vector<double>& counts, double total) const {
  JsonWriter w;
  w.BeginObject();
  for (size_t i = 0; i < counts.size(); ++i) {
    w.Key(config_.option_ids[i]);
    w.Double(total > 0 ? counts[i] / total : 0.0);
  }
  w.EndObject();
  return w.Take();
}

std::string Vote::VotesCastJson() const {
  JsonWriter w;
  w.BeginObject();
  for (const Ballot& b : ballots_) {
    w.Key(b.player_id);
    if (config_.method == "approval" || config_.method == "ranked") {
      w.BeginArray();
      for (int i : b.options) w.String(config_.option_ids[size_t(i)]);
      w.EndArray();
    } else {
      w.String(config_.option_ids[size_t(b.options.front())]);
    }
  }
  w.EndObject();
  return w.Take();
}

std::string Vote::StartJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("vote_id");
  w.String(config_.vote_id);
  w.Key("template");
  w.String(config_.template_name);
  w.Key("options");
  w.Raw(config_.options_json);
  w.Key("window_ms");
  w.Int(config_.window_ms);
  w.Key("method");
  w.String(config_.method);
  w.EndObject();
  return w.Take();
}

std::string Vote::TallyJson(int64_t time_remaining_ms) const {
  const std::string counts = CountsJson(Counts());
  JsonWriter w;
  w.BeginObject();
  w.Key("vote_id");
  w.String(config_.vote_id);
  w.Key("tallies");
  w.Raw(counts);
  w.Key("tally");  // the shared fixture's name for the same object
  w.Raw(counts);
  w.Key("time_remaining_ms");
  w.Int(time_remaining_ms > 0 ? time_remaining_ms : 0);
  w.Key("total_votes");
  w.Int(int64_t(ballots_.size()));
  w.EndObject();
  return w.Take();
}

std::string Vote::ResultJson(const VoteResult& r) const {
  JsonWriter w;
  w.BeginObject();
  w.Key("vote_id");
  w.String(config_.vote_id);
  w.Key("winner");
  if (r.winner) {
    w.String(*r.winner);
  } else {
    w.Null();
  }
  w.Key("counts");
  w.Raw(CountsJson(r.counts));
  w.Key("distribution");
  w.Raw(DistributionJson(r.counts, r.counted));
  w.Key("total_votes");
  w.Int(r.total_votes);
  w.Key("turnout");
  w.Double(r.turnout);
  w.EndObject();
  return w.Take();
}

std::string Vote::CallbackJson(const VoteResult& r) const {
  JsonWriter w;
  w.BeginObject();
  w.Key("winner");
  if (r.winner) {
    w.String(*r.winner);
  } else {
    w.Null();
  }
  w.Key("counts");
  w.Raw(CountsJson(r.counts));
  w.Key("distribution");
  w.Raw(DistributionJson(r.counts, r.counted));
  w.Key("total_votes");
  w.Int(r.total_votes);
  w.Key("votes_cast");
  w.Raw(VotesCastJson());
  w.Key("status");
  w.String(r.status);
  w.EndObject();
  return w.Take();
}

}  // namespace asobi::match
