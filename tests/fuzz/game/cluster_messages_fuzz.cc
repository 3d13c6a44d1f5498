// Fuzz target: arbitrary bytes -> the three cluster bus payload parsers (issue 16;
// src/game/directory/cluster_directory.h, src/game/auth/cluster_auth.h,
// src/cluster/membership.h). Must never crash; whatever parses re-encodes and parses back to
// the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cluster/membership.h"
#include "game/auth/cluster_auth.h"
#include "game/directory/cluster_directory.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  asobi::cluster_directory::Message m;
  if (asobi::cluster_directory::Parse(in, &m)) {
    std::string again =
        m.kind == 'D' ? asobi::cluster_directory::EncodeDeliver(m.from, m.player, m.body)
                      : asobi::cluster_directory::EncodePresence(m.from, m.player, m.body == "1");
    Check(again == in);
  }
  asobi::cluster_auth::AuthEvent e;
  if (asobi::cluster_auth::ParseAuthEvent(in, &e)) {
    asobi::cluster_auth::AuthEvent back;
    Check(asobi::cluster_auth::ParseAuthEvent(
        asobi::cluster_auth::EncodeAuthEvent(e.from, e.kind, e.player, e.tokens), &back));
    Check(back.from == e.from && back.kind == e.kind && back.player == e.player &&
          back.tokens == e.tokens);
  }
  asobi::cluster::NodeInfo info;
  bool leaving = false;
  if (asobi::cluster::Membership::ParseAnnouncement(in, &info, &leaving)) {
    Check(asobi::cluster::Bus::ValidToken(info.node_id) && info.load >= 0);
  }
  return 0;
}
