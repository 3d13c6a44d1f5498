#include "game/cluster_play/play_wire.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "cluster/bus.h"

namespace asobi::cluster_play {
namespace {

bool Field(std::string_view* rest, std::string_view* out) {
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *out = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

bool Sized(std::string_view s, size_t max) { return !s.empty() && s.size() <= max; }

bool Uint(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return false;  // canonical
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out <= max;
}

bool FiniteNumber(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  std::string copy(s);
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(d);
}

bool ValidReqId(std::string_view s) { return Sized(s, kReqIdBytesMax) && ShardOfReqId(s) >= 0; }

// Number of fixed fields of `kind` (G: 2, then 4 per ticket).
int FieldCount(char kind) {
  switch (kind) {
    case 'A':
      return 5;
    case 'R':
    case 'T':
      return 2;
    case 'S':
      return 7;
    case 'P':
      return 4;
    case 'Y':
      return 4;
    case 'G':
      return 2;
    case 'F':
    case 'B':
      return 1;
    case 'O':
      return 4;
    case 'K':
      return 3;
    case 'L':
      return 4;
    case 'V':
      return 1;
    default:
      return -1;
  }
}

bool Validate(Message* m) {
  const auto& f = m->fields;
  uint64_t n = 0;
  switch (m->kind) {
    case 'A':
      return ValidReqId(f[0]) && Sized(f[1], kPlayerBytesMax) && Sized(f[2], kModeBytesMax) &&
             FiniteNumber(f[3]) && Uint(f[4], 86'400'000, &n) && !m->rest.empty() &&
             m->rest.size() <= kPropertiesBytesMax;
    case 'R':
    case 'T':
      return ValidReqId(f[0]) && Sized(f[1], kPlayerBytesMax) &&
             Sized(m->rest, kTicketIdBytesMax) && m->rest.find('\n') == std::string_view::npos;
    case 'S':
      if (!ValidReqId(f[0]) || f[1].size() > 64 || !Uint(f[5], kUnixMsMax, &n)) return false;
      if (!f[1].empty()) return f[2].empty() && f[3].empty() && f[4].empty() && f[6].empty();
      return Sized(f[2], kTicketIdBytesMax) && Sized(f[3], kModeBytesMax) && Sized(f[4], 16) &&
             f[6].size() <= kTicketIdBytesMax && m->rest.size() <= kPropertiesBytesMax &&
             (m->rest.empty() || m->rest.front() == '{');
    case 'Y':
      return ValidReqId(f[0]) && f[1].size() <= 64 && f[2].size() <= kTicketIdBytesMax &&
             Uint(f[3], 1'000'000, &n) && (m->rest == "0" || m->rest == "1");
    case 'G': {
      if (!Sized(f[0], kModeBytesMax) || !Uint(f[1], kGroupMax, &n) || n == 0) return false;
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view id, player, origin, bot;
        if (!Field(&m->rest, &id) || !Field(&m->rest, &player) || !Field(&m->rest, &origin) ||
            !Field(&m->rest, &bot)) {
          return false;
        }
        if (!Sized(id, kTicketIdBytesMax) || !Sized(player, kPlayerBytesMax) ||
            !cluster::Bus::ValidToken(origin) || (bot != "0" && bot != "1")) {
          return false;
        }
        m->fields.insert(m->fields.end(), {id, player, origin, bot});
      }
      return m->rest.empty();
    }
    case 'P': {
      if (!Sized(f[0], kModeBytesMax) || f[1].size() != 1 ||
          std::string_view("mfr").find(f[1][0]) == std::string_view::npos ||
          (f[1] == "m") != !f[2].empty() || f[2].size() > kTicketIdBytesMax ||
          !Uint(f[3], kGroupMax, &n) || n == 0) {
        return false;
      }
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view id;
        if (!Field(&m->rest, &id) || !Sized(id, kTicketIdBytesMax)) return false;
        m->fields.push_back(id);
      }
      return m->rest.empty();
    }
    case 'F':
      return Sized(f[0], kPlayerBytesMax) && !m->rest.empty() && m->rest.front() == '{';
    case 'K':
      return ValidReqId(f[0]) && Sized(f[1], kPlayerBytesMax) && Sized(f[2], kPlayerBytesMax) &&
             !m->rest.empty() && m->rest.front() == '{';
    case 'L':
      return ValidReqId(f[0]) && Sized(f[1], kPlayerBytesMax) && Sized(f[2], kPlayerBytesMax) &&
             (f[3] == "0" || f[3] == "1") && m->rest.empty();
    case 'B': {
      if (!Uint(f[0], kBatchMax, &n) || n == 0) return false;
      std::string_view previous;
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view player, len_s;
        uint64_t len = 0;
        if (!Field(&m->rest, &player) || !Field(&m->rest, &len_s) ||
            !Sized(player, kPlayerBytesMax)) {
          return false;
        }
        if (len_s == "=") {  // the previous item's frame again
          if (previous.empty()) return false;
          m->fields.insert(m->fields.end(), {player, previous});
          continue;
        }
        if (!Uint(len_s, m->rest.size(), &len) || len == 0) return false;
        std::string_view frame = m->rest.substr(0, len);
        if (frame.front() != '{') return false;
        m->rest.remove_prefix(len);
        m->fields.insert(m->fields.end(), {player, frame});
        previous = frame;
      }
      return m->rest.empty();
    }
    case 'O':
      return ValidReqId(f[0]) && f[1].size() == 1 &&
             std::string_view("ILCVX").find(f[1][0]) != std::string_view::npos &&
             Sized(f[2], kPlayerBytesMax) && Sized(f[3], kTicketIdBytesMax);
    case 'V':
      return ValidReqId(f[0]) && m->rest.size() <= 64;
    default:
      return false;
  }
}

}  // namespace

std::string Encode(char kind, std::string_view from, const std::vector<std::string_view>& fields,
                   std::string_view rest) {
  size_t size = 6 + from.size() + rest.size();
  for (std::string_view f : fields) size += f.size() + 1;
  std::string out;
  out.reserve(size);
  out += "Q1\n";
  out += kind;
  out += '\n';
  out += from;
  out += '\n';
  for (std::string_view f : fields) {
    out += f;
    out += '\n';
  }
  out += rest;
  return out;
}

void AppendBatchItem(std::string* rest, std::string_view player, std::string_view frame) {
  *rest += player;
  *rest += '\n';
  *rest += std::to_string(frame.size());
  *rest += '\n';
  *rest += frame;
}

void AppendBatchRepeat(std::string* rest, std::string_view player) {
  *rest += player;
  *rest += "\n=\n";
}

bool Parse(std::string_view payload, Message* out) {
  if (payload.size() < 5 || payload.substr(0, 3) != "Q1\n" || payload[4] != '\n') return false;
  out->kind = payload[3];
  int count = FieldCount(out->kind);
  if (count < 0) return false;
  std::string_view rest = payload.substr(5);
  if (!Field(&rest, &out->from) || !cluster::Bus::ValidToken(out->from)) return false;
  out->fields.clear();
  for (int i = 0; i < count; ++i) {
    std::string_view f;
    if (!Field(&rest, &f)) return false;
    out->fields.push_back(f);
  }
  out->rest = rest;
  return Validate(out);
}

int ShardOfReqId(std::string_view req_id) {
  size_t dot = req_id.find('.');
  if (dot == std::string_view::npos) return -1;
  uint64_t shard = 0, seq = 0;
  if (!Uint(req_id.substr(0, dot), 1023, &shard) ||
      !Uint(req_id.substr(dot + 1), UINT64_MAX / 2, &seq)) {
    return -1;
  }
  return int(shard);
}

}  // namespace asobi::cluster_play
