#include "http_call.h"

#include <gtest/gtest.h>

namespace asobi::itest {

HttpResponse HttpCall(uint16_t port, const std::string& method, const std::string& path,
                      const std::string& body, const std::string& bearer, int timeout_ms) {
  HttpClient c;
  EXPECT_TRUE(c.Connect(port));
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: t\r\n";
  if (!bearer.empty()) req += "Authorization: Bearer " + bearer + "\r\n";
  if (method != "GET" && method != "HEAD") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  EXPECT_TRUE(c.SendRaw(req));
  std::optional<HttpResponse> resp = c.ReadResponse(method == "HEAD", timeout_ms);
  EXPECT_TRUE(resp.has_value()) << method << " " << path << ": " << c.error();
  return resp.value_or(HttpResponse{});
}

}  // namespace asobi::itest
