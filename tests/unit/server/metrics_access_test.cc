// Who may read /metrics: loopback peers without proxy headers, or the --metrics-token bearer.
#include "server/metrics_access.h"

#include <gtest/gtest.h>

namespace asobi {
namespace {

http::HttpRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  http::HttpRequest r;
  r.headers = std::move(headers);
  return r;
}

TEST(MetricsAccess, LoopbackAddresses) {
  for (const char* ip : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackIp(ip)) << ip;
  }
  for (const char* ip : {"10.0.0.1", "192.168.1.127", "::ffff:10.0.0.1", "::2", "1::1", "",
                         "128.0.0.1", "::ffff:"}) {
    EXPECT_FALSE(IsLoopbackIp(ip)) << ip;
  }
}

TEST(MetricsAccess, LoopbackWithoutProxyHeadersNeedsNoToken) {
  EXPECT_TRUE(MetricsAccessAllowed("127.0.0.1", WithHeaders({{"host", "x"}}), ""));
  EXPECT_TRUE(MetricsAccessAllowed("::1", WithHeaders({}), "tok"));
  for (const char* proxy : {"forwarded", "x-forwarded-for", "x-real-ip"}) {
    EXPECT_FALSE(MetricsAccessAllowed("127.0.0.1", WithHeaders({{proxy, "203.0.113.1"}}), ""))
        << proxy;
  }
  EXPECT_FALSE(MetricsAccessAllowed("10.0.0.1", WithHeaders({}), ""));
}

TEST(MetricsAccess, TokenOpensItFromAnywhere) {
  EXPECT_TRUE(MetricsAccessAllowed("10.0.0.1", WithHeaders({{"authorization", "Bearer s3cret"}}),
                                   "s3cret"));
  EXPECT_TRUE(MetricsAccessAllowed(
      "127.0.0.1",
      WithHeaders({{"x-forwarded-for", "203.0.113.1"}, {"authorization", "Bearer s3cret"}}),
      "s3cret"));
  for (const char* auth :
       {"Bearer s3cre", "Bearer s3cret2", "bearer s3cret", "s3cret", "Bearer  s3cret", ""}) {
    EXPECT_FALSE(MetricsAccessAllowed("10.0.0.1", WithHeaders({{"authorization", auth}}), "s3cret"))
        << auth;
  }
  // Without a configured token no bearer opens it.
  EXPECT_FALSE(MetricsAccessAllowed("10.0.0.1", WithHeaders({{"authorization", "Bearer "}}), ""));
}

}  // namespace
}  // namespace asobi
