#include "game/chat/channel_id.h"

#include "base/uuid.h"

namespace asobi::chat {
namespace {

bool Consume(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

// `<x>,<y>`: two non-empty parts.
bool IsCoordPair(std::string_view s) {
  size_t comma = s.find(',');
  return comma != std::string_view::npos && comma > 0 && comma + 1 < s.size();
}

}  // namespace

std::optional<ChannelRef> ParseChannelId(std::string_view id) {
  if (id.empty() || id.size() > kChannelIdBytesMax) return std::nullopt;
  ChannelRef ref;
  std::string_view rest = id;
  if (Consume(&rest, "global:")) {
    ref.kind = ChannelKind::kGlobal;
    ref.name = rest;
    return ref;
  }
  if (Consume(&rest, "dm:")) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= rest.size()) {
      return std::nullopt;
    }
    ref.kind = ChannelKind::kDm;
    ref.a = rest.substr(0, colon);
    ref.b = rest.substr(colon + 1);
    if (ref.b.find(':') != std::string_view::npos) return std::nullopt;
    return ref;
  }
  if (Consume(&rest, "room:")) {
    if (!IsCanonicalUuid(rest)) return std::nullopt;
    ref.kind = ChannelKind::kRoom;
    ref.world = rest;
    return ref;
  }
  if (Consume(&rest, "world:")) {
    if (rest.empty()) return std::nullopt;
    ref.kind = ChannelKind::kWorld;
    ref.world = rest;
    return ref;
  }
  bool zone = Consume(&rest, "zone:");
  if (zone || Consume(&rest, "prox:")) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0 || !IsCoordPair(rest.substr(colon + 1))) {
      return std::nullopt;
    }
    ref.kind = zone ? ChannelKind::kZone : ChannelKind::kProx;
    ref.world = rest.substr(0, colon);
    return ref;
  }
  return std::nullopt;
}

std::string DmChannelId(std::string_view p1, std::string_view p2) {
  if (p2 < p1) std::swap(p1, p2);
  std::string out = "dm:";
  out.append(p1).append(1, ':').append(p2);
  return out;
}

std::string_view ChannelTypeOf(ChannelKind kind) {
  return kind == ChannelKind::kDm ? "dm" : "room";
}

}  // namespace asobi::chat
