// ReplyTo: what an asynchronous WebSocket reply needs once the request's handler has returned
// and the client may have gone (a match or world join answered from another shard): the
// socket's address, its player and the request's `cid` (websocket.md §1.2). Plain value; copy
// it into callbacks and look the client up again on its shard before replying.
#pragma once

#include <string>

#include "game/client.h"
#include "game/game_shard.h"
#include "protocol/envelope.h"

namespace asobi {

struct ReplyTo {
  ClientRef ref;
  std::string player_id;
  bool has_cid = false;
  std::string cid;  // the request's cid as JSON text (when has_cid)
  /// The cid for a reply frame, or null when the request carried none.
  const std::string* cid_ptr() const { return has_cid ? &cid : nullptr; }
};

/// The ReplyTo of the request `env` received on `ctx`'s client (on that client's shard).
inline ReplyTo ReplyFor(WsContext& ctx, const Envelope& env) {
  return ReplyTo{ctx.client.ref(), ctx.client.player_id(), env.has_cid, env.cid_json};
}

}  // namespace asobi
