#include "protocol/frame.h"

namespace asobi {

void BeginFrame(JsonWriter* w, std::string_view type, const std::string* cid_json) {
  DCHECK(w->depth() == 0);
  w->BeginObject();
  w->Key("type");
  w->String(type);
  if (cid_json != nullptr) {
    w->Key("cid");
    w->Raw(*cid_json);
  }
  w->Key("payload");
}

void EndFrame(JsonWriter* w) {
  w->EndObject();
  DCHECK(w->depth() == 0);
}

std::string BuildFrame(std::string_view type, std::string_view payload_json,
                       const std::string* cid_json) {
  JsonWriter w;
  w.Reserve(32 + type.size() + payload_json.size() + (cid_json ? cid_json->size() + 7 : 0));
  BeginFrame(&w, type, cid_json);
  w.Raw(payload_json);
  EndFrame(&w);
  return w.Take();
}

std::string BuildHeartbeatReply(int64_t ts_ms, const std::string* cid_json) {
  JsonWriter w;
  w.Reserve(64 + (cid_json ? cid_json->size() : 0));
  BeginFrame(&w, "session.heartbeat", cid_json);
  w.BeginObject();
  w.Key("ts");
  w.Int(ts_ms);
  w.EndObject();
  EndFrame(&w);
  return w.Take();
}

}  // namespace asobi
