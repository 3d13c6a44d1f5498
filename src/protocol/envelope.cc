#include "protocol/envelope.h"

#include <cstring>

#include "base/check.h"

namespace asobi {
namespace {

constexpr std::string_view kInvalidJsonMessage = "The frame is not valid JSON.";
constexpr std::string_view kInvalidMessageMessage = "The message is missing a string `type` field.";

// "{}" followed by the zero padding simdjson requires.
constexpr char kEmptyObject[2 + simdjson::SIMDJSON_PADDING] = "{}";

Error InvalidJson() { return MakeError("invalid_json", std::string(kInvalidJsonMessage)); }
Error InvalidMessage() { return MakeError("invalid_message", std::string(kInvalidMessageMessage)); }

}  // namespace

EnvelopeParser::EnvelopeParser(size_t initial_capacity_bytes, size_t max_depth) {
  CHECK(parser_.allocate(initial_capacity_bytes, max_depth) == simdjson::SUCCESS);
  CHECK(parser_.parse_into_document(empty_doc_, kEmptyObject, 2, false).get(empty_object_) ==
        simdjson::SUCCESS);
  CHECK(EnsureBuffer(initial_capacity_bytes));
}

bool EnvelopeParser::EnsureBuffer(size_t len) {
  if (len <= buf_capacity_bytes_ && buf_) return true;
  const size_t capacity = len < 64 ? 64 : len;
  buf_.reset(new (std::nothrow) char[capacity + simdjson::SIMDJSON_PADDING]);
  if (!buf_) {
    buf_capacity_bytes_ = 0;
    return false;
  }
  buf_capacity_bytes_ = capacity;
  return true;
}

Result<Envelope> EnvelopeParser::Parse(std::string_view text) {
  Envelope env;
  Status st = ParseInto(text, &env);
  if (!st.ok()) return st.error();
  return env;
}

Status EnvelopeParser::ParseInto(std::string_view text, Envelope* out) {
  if (!EnsureBuffer(text.size())) return InvalidJson();
  std::memcpy(buf_.get(), text.data(), text.size());
  std::memset(buf_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);

  JsonValue root;
  if (parser_.parse(buf_.get(), text.size(), false).get(root) != simdjson::SUCCESS) {
    return InvalidJson();
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return InvalidMessage();

  out->type = {};
  out->has_cid = false;
  out->cid_json.clear();
  out->has_payload = false;
  out->payload = empty_object_;
  out->seq.reset();
  bool has_type = false;
  JsonValue cid;
  // One pass over the members; a later duplicate overrides an earlier one.
  for (simdjson::dom::key_value_pair member : obj) {
    const std::string_view key = member.key;
    if (key == "type") {
      has_type = member.value.get_string().get(out->type) == simdjson::SUCCESS;
    } else if (key == "payload") {
      out->has_payload = true;
      out->payload = member.value;
    } else if (key == "cid") {
      out->has_cid = true;
      cid = member.value;
    } else if (key == "seq") {
      int64_t seq;
      if (member.value.get_int64().get(seq) == simdjson::SUCCESS) {
        out->seq = seq;
      } else {
        out->seq.reset();
      }
    }
  }
  if (!has_type) return InvalidMessage();
  if (out->has_cid) {
    JsonWriter w(std::move(out->cid_json));
    WriteJsonValue(&w, cid);
    out->cid_json = w.Take();
  }
  return Ok{};
}

}  // namespace asobi
