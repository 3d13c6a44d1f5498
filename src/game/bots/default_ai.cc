#include "game/bots/default_ai.h"

#include <cmath>
#include <optional>

#include "protocol/json_writer.h"

namespace asobi::bots {
namespace {

constexpr double kShootDistance = 200;
constexpr double kDeadZone = 4;  // no steering on an axis closer than this
constexpr int kAimJitter = 10;

struct Body {
  double x = 0, y = 0;
  bool alive = true;
};

std::optional<Body> BodyOf(JsonValue v) {
  std::optional<double> x = GetNumber(v, "x"), y = GetNumber(v, "y");
  if (!x || !y) return std::nullopt;
  Body b{*x, *y, true};
  if (std::optional<double> hp = GetNumber(v, "hp")) b.alive = *hp > 0;
  return b;
}

// Calls fn(id, entry) for each player of `players` (object keyed by id, or array with ids).
template <typename F>
void ForEachPlayer(JsonValue players, F&& fn) {
  if (players.is_object()) {
    for (auto [key, value] : players.get_object()) fn(key, value);
  } else if (players.is_array()) {
    for (JsonValue value : players.get_array()) {
      if (std::optional<std::string_view> id = GetString(value, "id")) fn(*id, value);
    }
  }
}

void Bools(JsonWriter* w, bool right, bool left, bool down, bool up) {
  w->Key("right");
  w->Bool(right);
  w->Key("left");
  w->Bool(left);
  w->Key("down");
  w->Bool(down);
  w->Key("up");
  w->Bool(up);
}

}  // namespace

uint64_t BotRng::Next() {
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545f4914f6cdd1dull;
}

int BotRng::Range(int lo, int hi) { return lo + int(Next() % uint64_t(hi - lo + 1)); }

std::string DefaultAiInput(std::string_view bot_id, JsonValue state, BotRng* rng) {
  std::optional<JsonValue> players = GetField(state, "players");
  if (!players) return "{}";
  std::optional<Body> me;
  ForEachPlayer(*players, [&](std::string_view id, JsonValue v) {
    if (id == bot_id) me = BodyOf(v);
  });
  if (!me) return "{}";
  std::optional<Body> target;
  double best = INFINITY;
  ForEachPlayer(*players, [&](std::string_view id, JsonValue v) {
    std::optional<Body> b = BodyOf(v);
    if (!b || id == bot_id || !b->alive) return;
    double d = std::hypot(b->x - me->x, b->y - me->y);
    if (d < best) {
      best = d;
      target = b;
    }
  });
  JsonWriter w;
  w.BeginObject();
  if (!target) {
    Bools(&w, rng->Range(0, 1), rng->Range(0, 1), rng->Range(0, 1), rng->Range(0, 1));
    w.EndObject();
    return w.Take();
  }
  double dx = target->x - me->x, dy = target->y - me->y;
  Bools(&w, dx > kDeadZone, dx<-kDeadZone, dy> kDeadZone, dy < -kDeadZone);
  w.Key("shoot");
  w.Bool(best < kShootDistance);
  w.Key("aim_x");
  w.Double(target->x + rng->Range(-kAimJitter, kAimJitter));
  w.Key("aim_y");
  w.Double(target->y + rng->Range(-kAimJitter, kAimJitter));
  w.EndObject();
  return w.Take();
}

}  // namespace asobi::bots
