#include "itest_checks.h"

#include <cstdlib>
#include <utility>

namespace asobi::itest {
namespace {

::testing::AssertionResult CheckCid(const JsonDoc& frame,
                                    const std::optional<std::string>& cid_json) {
  std::optional<std::string> cid = frame.Raw({"cid"});
  if (!cid_json) {
    if (cid)
      return ::testing::AssertionFailure() << "unexpected cid " << *cid << " in " << frame.text();
    return ::testing::AssertionSuccess();
  }
  if (!cid || *cid != Minify(*cid_json)) {
    return ::testing::AssertionFailure() << "cid should be " << *cid_json << " in " << frame.text();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult HasSecurityHeaders(const HttpResponse& resp) {
  static const std::pair<std::string_view, std::string_view> kHeaders[] = {
      {"x-content-type-options", "nosniff"},
      {"x-frame-options", "DENY"},
      {"x-xss-protection", "0"},
      {"referrer-policy", "strict-origin-when-cross-origin"},
      {"permissions-policy", "camera=(), microphone=(), geolocation=()"},
      {"strict-transport-security", "max-age=31536000; includeSubDomains"},
  };
  for (const auto& [name, value] : kHeaders) {
    std::optional<std::string> got = resp.Header(name);
    if (!got) {
      return ::testing::AssertionFailure()
             << "missing header " << name << " on a " << resp.status << " response";
    }
    if (*got != value) {
      return ::testing::AssertionFailure() << "header " << name << " is '" << *got << "'";
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsErrorEnvelope(const HttpResponse& resp, int status,
                                           std::string_view code) {
  if (resp.status != status) {
    return ::testing::AssertionFailure()
           << "status " << resp.status << " instead of " << status << ": " << resp.body;
  }
  std::optional<std::string> ct = resp.Header("content-type");
  if (!ct || ct->rfind("application/json", 0) != 0) {
    return ::testing::AssertionFailure() << "content-type is " << ct.value_or("(none)");
  }
  JsonDoc doc;
  if (!doc.Parse(resp.body)) return ::testing::AssertionFailure() << "body not JSON: " << resp.body;
  std::optional<std::string> got = doc.Str({"error", "code"});
  if (!got || got->empty() || (!code.empty() && *got != code)) {
    return ::testing::AssertionFailure() << "error.code should be " << code << ": " << resp.body;
  }
  if (!doc.Str({"error", "message"})) {
    return ::testing::AssertionFailure() << "no error.message: " << resp.body;
  }
  if (!doc.IsObjectAt({"error", "details"})) {
    return ::testing::AssertionFailure() << "error.details not an object: " << resp.body;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsWsError(const JsonDoc& frame, std::string_view reason,
                                     std::string_view code,
                                     const std::optional<std::string>& cid_json) {
  if (frame.Str({"type"}) != "error") {
    return ::testing::AssertionFailure() << "not an error frame: " << frame.text();
  }
  if (frame.Str({"payload", "reason"}) != reason) {
    return ::testing::AssertionFailure() << "reason should be " << reason << ": " << frame.text();
  }
  if (frame.Str({"payload", "error", "code"}) != code) {
    return ::testing::AssertionFailure() << "error.code should be " << code << ": " << frame.text();
  }
  if (!frame.Str({"payload", "error", "message"})) {
    return ::testing::AssertionFailure() << "no error.message: " << frame.text();
  }
  if (!frame.IsObjectAt({"payload", "error", "details"})) {
    return ::testing::AssertionFailure() << "error.details not an object: " << frame.text();
  }
  return CheckCid(frame, cid_json);
}

::testing::AssertionResult IsHeartbeatReply(const JsonDoc& frame,
                                            const std::optional<std::string>& cid_json) {
  if (frame.Str({"type"}) != "session.heartbeat") {
    return ::testing::AssertionFailure() << "not a heartbeat reply: " << frame.text();
  }
  std::optional<int64_t> ts = frame.Int({"payload", "ts"});
  if (!ts || *ts <= 0) return ::testing::AssertionFailure() << "no integer ts: " << frame.text();
  return CheckCid(frame, cid_json);
}

int64_t MetricValue(const std::string& metrics_body, const std::string& series) {
  const std::string key = "\n" + series + " ";
  size_t at = metrics_body.find(key);
  if (at == std::string::npos) return -1;
  return std::strtoll(metrics_body.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace asobi::itest
