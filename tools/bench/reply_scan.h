// Minimal scan of a server reply envelope (websocket.md §1): finds the top-level `type` and
// `cid` without a JSON parser, so the load generator spends its CPU on load, not on parsing.
// Relies on the server writing `type` and `cid` before `payload` (our JSON writer does);
// a nested "cid" key appearing before the top-level one would be misread. Any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace asobi::bench {

/// What ScanReply found. Views point into the scanned text.
struct ReplyScan {
  std::string_view type;     // value of the first "type" key; empty when absent
  bool is_error = false;     // type == "error"
  bool has_cid = false;      // a "cid" key with a string or number value was found
  std::string_view cid;      // its text (without quotes)
  bool cid_numeric = false;  // cid is 1..19 decimal digits
  uint64_t cid_value = 0;    // its value when cid_numeric
};

/// Scans one text frame. Never fails: missing or odd fields leave the defaults.
ReplyScan ScanReply(std::string_view json);

}  // namespace asobi::bench
