// Pure validation of RPC names and cids (websocket.md §9.1). Any thread.
#pragma once

#include <string>
#include <string_view>

namespace asobi::rpc {

/// Method names: `<namespace>.<name>`, 3-128 bytes of [A-Za-z0-9_.-], at least one dot, no
/// empty segment; the `asobi` namespace is reserved for built-ins (rest.md §3.12).
bool IsMethodName(std::string_view name);

/// The namespace of a method name (the part before the first dot).
std::string_view NamespaceOf(std::string_view name);

/// A handler error code declared by a method of namespace `ns`: `<ns>.<name>` with a
/// non-empty name of [A-Za-z0-9_.-], at most 128 bytes.
bool IsErrorCodeOf(std::string_view code, std::string_view ns);

/// `rel` is a relative `.lua` path with no `..` segment (the config.lua `rpc` global).
bool IsRelativeScriptPath(std::string_view rel);

/// Check 1 of §9.1 on the cid as the envelope re-serialized it (Envelope::cid_json): a JSON
/// string whose value is 1-64 bytes, each 0x20-0x7E.
bool IsValidRpcCid(std::string_view cid_json);

}  // namespace asobi::rpc
