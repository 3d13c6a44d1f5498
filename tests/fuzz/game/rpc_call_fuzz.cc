// Fuzz target: arbitrary bytes -> the WebSocket envelope parser -> the rpc.call checks on the
// cid and names (websocket.md §9.1). Must never crash; IsValidRpcCid must agree with the cid
// simdjson itself unescapes (1-64 bytes, each 0x20-0x7E).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "game/rpc/rpc_names.h"
#include "protocol/envelope.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static asobi::EnvelopeParser* parser = new asobi::EnvelopeParser();
  static simdjson::dom::parser* cid_parser = new simdjson::dom::parser();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  asobi::rpc::IsMethodName(text);
  asobi::rpc::IsRelativeScriptPath(text);
  asobi::rpc::IsErrorCodeOf(text, asobi::rpc::NamespaceOf(text));
  auto env = parser->Parse(text);
  if (!env.ok() || !env.value().has_cid) return 0;
  const std::string& cid = env.value().cid_json;
  bool valid = asobi::rpc::IsValidRpcCid(cid);
  simdjson::dom::element e;
  Check(cid_parser->parse(cid).get(e) == simdjson::SUCCESS);
  bool expected = false;
  if (e.is_string()) {
    std::string_view s = e.get_string().value();
    expected = !s.empty() && s.size() <= 64;
    for (unsigned char c : s) expected = expected && c >= 0x20 && c <= 0x7E;
  }
  Check(valid == expected);
  return 0;
}
