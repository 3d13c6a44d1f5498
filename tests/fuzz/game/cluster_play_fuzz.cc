// Fuzz target: arbitrary bytes -> the cross-node matchmaking / proxy line parser (issue 16
// item 4, src/game/cluster_play/play_wire.h) and the frame helpers. Must never crash;
// whatever parses re-encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/bus.h"
#include "game/cluster_play/play_wire.h"
#include "game/cluster_play/proxy_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  asobi::cluster_play::Message m;
  if (asobi::cluster_play::Parse(in, &m)) {
    if (!asobi::cluster::Bus::ValidToken(m.from)) std::abort();
    std::string again;
    if (m.kind == 'B') {  // fields: count, then (player, frame) pairs carried in the rest
      std::string rest;
      for (size_t i = 1; i + 1 < m.fields.size(); i += 2) {
        // A repeat ("=") is a view of the very bytes of the item before it.
        if (i > 1 && m.fields[i + 1].data() == m.fields[i - 1].data()) {
          asobi::cluster_play::AppendBatchRepeat(&rest, m.fields[i]);
        } else {
          asobi::cluster_play::AppendBatchItem(&rest, m.fields[i], m.fields[i + 1]);
        }
      }
      again = asobi::cluster_play::Encode('B', m.from, {m.fields[0]}, rest);
    } else {
      again = asobi::cluster_play::Encode(m.kind, m.from, m.fields, m.rest);
    }
    if (again != in) std::abort();
  }
  std::string_view id = asobi::cluster_play::FrameMatchId(in);
  if (id.size() > asobi::cluster_play::kTicketIdBytesMax) std::abort();
  (void)asobi::cluster_play::IsPush(in, "match.matched");
  (void)asobi::cluster_play::ShardOfReqId(in);
  return 0;
}
