#include "game/bots/bot_runner.h"

#include <algorithm>

#include "base/log.h"
#include "game/match/match_service.h"
#include "protocol/json_writer.h"

namespace asobi::bots {
namespace {

thread_local BotRunner* t_runner = nullptr;
thread_local simdjson::dom::parser t_parser;

constexpr int64_t kErrorLogIntervalMs = 60000;  // lua.md §10: at most once a minute per bot

}  // namespace

BotRunner* BotRunner::OnThisShard() { return t_runner; }

BotRunner::BotRunner(match::MatchHost& host, std::shared_ptr<const BotCatalog> catalog,
                     BotOptions options)
    : host_(host), catalog_(std::move(catalog)), options_(options) {
  t_runner = this;
  options_.slices = std::max(1, options_.slices);
  slices_.resize(size_t(options_.slices));
  timer_ = host_.AddTimer(options_.think_ms / options_.slices, [this] { OnSlice(); });
}

BotRunner::~BotRunner() {
  if (timer_ != 0) host_.CancelTimer(timer_);
  if (t_runner == this) t_runner = nullptr;
}

ClientRef BotRunner::Create(const std::string& mode, const std::string& bot_id) {
  ClientRef ref{host_.shard_id(), next_index_++, 1};
  if (next_index_ == 0) next_index_ = kBotIndexBase;  // wrapped after 2^31 bots
  Bot bot;
  bot.client = std::make_unique<BotClient>(ref, bot_id);
  bot.mode = mode;
  bot.rng.s ^= (uint64_t(ref.index) << 20) ^ uint64_t(host_.NowMs());
  match::MatchService* matches = match::MatchService::OnThisShard();
  script::LuaNodeMemory* node_memory = matches ? &matches->node().lua_memory() : nullptr;
  const script::ModuleSourceRegistry* sources =
      matches ? &matches->node().modes().sources() : nullptr;
  const BotModeConfig* cfg = catalog_ ? catalog_->Find(mode) : nullptr;
  if (cfg != nullptr && cfg->source && node_memory != nullptr && !node_memory->AdmitNewState()) {
    ++stats_.memory_refused;
    LOG_WARN("bot script not started: node Lua memory budget nearly used up; default AI")
        .KV("mode", mode)
        .KV("bot_id", bot_id);
    cfg = nullptr;
  }
  if (cfg != nullptr) {
    const bool jit = matches != nullptr && matches->node().options().lua_jit;
    auto brain = BotBrain::Create(*cfg, node_memory, sources, jit);
    if (brain.ok()) {
      bot.brain = std::move(brain.value());
    } else if (brain.error().reason != "no_script") {
      LOG_WARN("bot script failed; default AI")
          .KV("mode", mode)
          .KV("reason", brain.error().message);
    }
  }
  bots_.emplace(ref.index, std::move(bot));
  slices_[ref.index % slices_.size()].push_back(ref.index);
  ++stats_.created;
  return ref;
}

void BotRunner::Start(const ClientRef& ref, const std::string& match_id) {
  auto it = bots_.find(ref.index);
  if (it == bots_.end()) return;
  it->second.match_id = match_id;
  it->second.started = true;
}

void BotRunner::Destroy(const ClientRef& ref) {
  if (bots_.erase(ref.index) == 0) return;
  std::erase(slices_[ref.index % slices_.size()], ref.index);
  ++stats_.stopped;
}

Client* BotRunner::Find(const ClientRef& ref) {
  if (ref.shard != host_.shard_id()) return nullptr;
  auto it = bots_.find(ref.index);
  return it == bots_.end() ? nullptr : it->second.client.get();
}

void BotRunner::OnSlice() {
  timer_ = host_.AddTimer(std::max(1, options_.think_ms / options_.slices), [this] { OnSlice(); });
  std::vector<uint32_t> ids = slices_[next_slice_];
  next_slice_ = (next_slice_ + 1) % slices_.size();
  for (uint32_t id : ids) {
    auto it = bots_.find(id);
    if (it != bots_.end() && !Think(it->second)) Destroy(it->second.client->ref());
  }
}

void BotRunner::ThinkAllNow() {
  std::vector<uint32_t> ids;
  for (const auto& [id, bot] : bots_) ids.push_back(id);
  for (uint32_t id : ids) {
    auto it = bots_.find(id);
    if (it != bots_.end() && !Think(it->second)) Destroy(it->second.client->ref());
  }
}

void BotRunner::MaybeVote(Bot& bot) {
  std::vector<BotClient::PendingBallot>& ballots = bot.client->ballots();
  if (ballots.empty()) return;
  const int64_t now = host_.NowMs();
  if (bot.ballot_due_ms == 0) {
    bot.ballot_due_ms = now + 1000 + int64_t(bot.rng.Next() % 3000);
    return;
  }
  if (now < bot.ballot_due_ms) return;
  bot.ballot_due_ms = 0;
  BotClient::PendingBallot b = std::move(ballots.front());
  ballots.erase(ballots.begin());
  const std::string& pick = b.option_ids[size_t(bot.rng.Next() % b.option_ids.size())];
  std::string option = b.approval ? "[" : "";
  AppendJsonString(&option, pick);
  if (b.approval) option.push_back(']');
  match::MatchService* matches = match::MatchService::OnThisShard();
  if (matches == nullptr) return;
  ++stats_.votes_cast;
  (void)matches->CastVote(bot.match_id, bot.client->player_id(), b.vote_id, option);
}

bool BotRunner::Think(Bot& bot) {
  if (!bot.started) return true;
  if (bot.client->finished()) return false;
  MaybeVote(bot);
  if (bot.client->view().empty() || bot.client->vote_pending()) return true;
  simdjson::dom::element view;
  if (t_parser.parse(bot.client->view()).get(view) != simdjson::SUCCESS) return true;
  bool send = true;
  std::string input = DecideInput(bot, view, &send);
  if (!send) return true;
  ++stats_.thinks;
  match::MatchService* matches = match::MatchService::OnThisShard();
  return matches != nullptr &&
         matches->Input(bot.match_id, bot.client->player_id(), std::move(input), bot.client->ref());
}

std::string BotRunner::DecideInput(Bot& bot, JsonValue view, bool* send) {
  const std::string& id = bot.client->player_id();
  std::string_view phase = GetString(view, "phase").value_or("");
  if (phase == "voting" || phase == "vote_pending") {
    *send = false;
    return {};
  }
  if (phase == "boon_pick") {  // lua.md §10: pick the first offer, once
    *send = !bot.boon_sent;
    bot.boon_sent = true;
    std::optional<JsonValue> offers = GetField(view, "boon_offers");
    simdjson::dom::element first;
    std::string boon = "null";
    if (offers && offers->is_array() && offers->at(0).get(first) == simdjson::SUCCESS) {
      if (std::optional<JsonValue> bid = GetField(first, "id")) boon = ToJson(*bid);
    }
    return R"({"type":"boon_pick","boon_id":)" + boon + "}";
  }
  bot.boon_sent = false;
  if (bot.brain) {
    Result<std::string> r = bot.brain->Think(id, view);
    if (r.ok()) return std::move(r.value());
    ++stats_.fallbacks;
    int64_t now = host_.NowMs();
    if (r.error().reason == "timeout") NoteOverrun(bot, now);
    if (now - bot.last_error_log_ms >= kErrorLogIntervalMs) {
      bot.last_error_log_ms = now;
      LOG_WARN("bot_think_error_falling_back_to_default_ai")
          .KV("bot_id", id)
          .KV("reason", r.error().reason)
          .KV("message", r.error().message);
    }
  }
  return DefaultAiInput(id, view, &bot.rng);
}

void BotRunner::NoteOverrun(Bot& bot, int64_t now_ms) {
  match::MatchService* matches = match::MatchService::OnThisShard();
  if (matches == nullptr) return;
  const match::MatchOptions& opt = matches->node().options();
  if (opt.overrun_limit <= 0) return;
  bot.overruns_ms.push_back(now_ms);
  while (!bot.overruns_ms.empty() && now_ms - bot.overruns_ms.front() >= opt.overrun_window_ms) {
    bot.overruns_ms.pop_front();
  }
  if (int(bot.overruns_ms.size()) < opt.overrun_limit) return;
  // docs/decisions.md "Lua quarantine": the bot keeps playing, with the default AI.
  LOG_ERROR("bot script quarantined; default AI")
      .KV("bot_id", bot.client->player_id())
      .KV("mode", bot.mode)
      .KV("overruns", int64_t(bot.overruns_ms.size()))
      .KV("window_ms", opt.overrun_window_ms);
  ++stats_.quarantined;
  matches->node().metrics().bots_quarantined.fetch_add(1, std::memory_order_relaxed);
  bot.brain.reset();
  bot.overruns_ms.clear();
}

}  // namespace asobi::bots
