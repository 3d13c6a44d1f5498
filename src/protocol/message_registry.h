// MessageRegistry: the inbound dispatch table keyed by envelope `type` (websocket.md §1.3,
// DECISIONS.md wire 2). Domains register their handlers once at start-up; the WS layer looks
// each parsed frame up and answers failed preconditions uniformly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/check.h"
#include "protocol/envelope.h"

namespace asobi {

/// Preconditions checked before a handler runs. Bit flags; combine with `|`.
enum MessageFlags : uint32_t {
  kNoFlags = 0,
  /// The socket must be authenticated, else reason `unauthenticated` (DECISIONS.md wire 2:
  /// everything except session.connect, session.heartbeat and rpc.call).
  kNeedsAuth = 1u << 0,
  /// A `payload` member (any JSON type) must be present, else `missing_field`.
  kNeedsPayload = 1u << 1,
  /// `payload` must be present (else `missing_field`) and an object (else `invalid_payload`).
  kNeedsPayloadObject = 1u << 2,
};

/// The error reason for a registered type whose preconditions `flags` do not hold for `env` on
/// a socket whose authentication state is `authenticated`; empty when the handler may run.
/// Order: auth, then payload presence, then payload type. Pure; any thread.
std::string_view PreconditionFailure(uint32_t flags, bool authenticated, const Envelope& env);

/// Dispatch table from message type to handler, for a connection context type `Ctx` (defined
/// by the WS layer). Built once at start-up (Register is not thread-safe); afterwards Find and
/// Resolve are const and may be called concurrently from every shard.
template <typename Ctx>
class MessageRegistry {
 public:
  /// Runs on the connection's shard with the parsed frame; `env` (and values borrowed from it)
  /// is valid only during the call.
  using Handler = void (*)(Ctx& ctx, const Envelope& env);

  /// One registered type: its handler and MessageFlags (kNeedsAuth, kNeedsPayload, ...).
  struct Entry {
    std::string_view type;  // points at the registry's own copy
    Handler handler;
    uint32_t flags;
  };

  /// Adds `type`. CHECK-fails on a duplicate type or a null handler (start-up wiring bug).
  void Register(std::string_view type, Handler handler, uint32_t flags) {
    CHECK(handler != nullptr);
    auto [it, inserted] = map_.try_emplace(std::string(type), Entry{{}, handler, flags});
    CHECK(inserted);
    it->second.type = it->first;
  }

  /// The entry for `type`, or nullptr when no handler is registered (reason `unknown_type`).
  const Entry* Find(std::string_view type) const {
    auto it = map_.find(type);
    return it == map_.end() ? nullptr : &it->second;
  }

  /// Find plus PreconditionFailure: the entry to run, or nullptr with `*reason` set to
  /// `unknown_type`, `unauthenticated`, `missing_field` or `invalid_payload` (to be answered
  /// with BuildErrorFrame(reason, env.cid())).
  const Entry* Resolve(const Envelope& env, bool authenticated, std::string_view* reason) const {
    const Entry* entry = Find(env.type);
    if (entry == nullptr) {
      *reason = "unknown_type";
      return nullptr;
    }
    *reason = PreconditionFailure(entry->flags, authenticated, env);
    return reason->empty() ? entry : nullptr;
  }

  /// Number of registered types.
  size_t size() const { return map_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
};

}  // namespace asobi
