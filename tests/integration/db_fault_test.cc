// Database outage (issue "Bad input and faults"): the PostgreSQL server is stopped mid-run.
// In-flight and new requests fail with a clear error, the server keeps serving, /ready turns
// 503, it reconnects when the database returns, and no acknowledged write is lost.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

std::string EnvValue(const std::string& env_text, const std::string& key) {
  std::istringstream in(env_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

HttpResponse Call(uint16_t port, const std::string& method, const std::string& path,
                  const std::string& body = "") {
  return HttpCall(port, method, path, body, "", 15000);
}

bool WaitStatus(uint16_t port, const std::string& path, int status, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 100) {
    if (Call(port, "GET", path).status == status) return true;
    usleep(100 * 1000);
  }
  return false;
}

TEST(DbFaultTest, OutageFailsClearlyServerStaysUpAndRecoversWithoutLosingWrites) {
  const char* root = getenv("ASOBI_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  char tmpl[] = "/tmp/asobi-pgfault-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  chmod(tmpl, 0755);  // the cluster runs as the postgres user
  std::string dir = std::string(tmpl) + "/pg";
  std::string script = std::string(root) + "/tools/dev-db.sh";
  std::string env = Shell("bash " + script + " start " + dir + " 2>&1");
  std::string port = EnvValue(env, "ASOBI_DB_PORT");
  ASSERT_FALSE(port.empty()) << env;

  ServerProcess server;
  ServerOptions opts;
  opts.flags = {"--db-host",     EnvValue(env, "ASOBI_DB_HOST"),     "--db-port", port,
                "--db-user",     EnvValue(env, "ASOBI_DB_USER"),     "--db-name", "asobi",
                "--rate-limits", "register=1000/1000,auth=1000/1000"};
  ASSERT_TRUE(server.Start(opts));
  ASSERT_TRUE(WaitStatus(server.port(), "/ready", 200, 20000)) << server.log();

  // An acknowledged write before the outage.
  HttpResponse reg = Call(server.port(), "POST", "/api/v1/auth/register",
                          R"({"username":"durable_user","password":"password123"})");
  ASSERT_EQ(reg.status, 200) << reg.body;

  Shell("bash " + script + " stop " + dir + " 2>&1");
  EXPECT_TRUE(WaitStatus(server.port(), "/ready", 503, 15000)) << server.log();
  // Requests that need the database fail with a clear error; the rest still works.
  HttpResponse during = Call(server.port(), "POST", "/api/v1/auth/login",
                             R"({"username":"durable_user","password":"password123"})");
  EXPECT_TRUE(IsErrorEnvelope(during, 503, "not_ready")) << during.body;
  HttpResponse health = Call(server.port(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
  JsonDoc h;
  ASSERT_TRUE(h.Parse(health.body));
  EXPECT_EQ(h.Str({"status"}).value_or(""), "unhealthy");

  std::string env2 = Shell("bash " + script + " start " + dir + " 2>&1");
  ASSERT_EQ(EnvValue(env2, "ASOBI_DB_PORT"), port) << env2;
  EXPECT_TRUE(WaitStatus(server.port(), "/ready", 200, 30000)) << server.log();
  HttpResponse after = Call(server.port(), "POST", "/api/v1/auth/login",
                            R"({"username":"durable_user","password":"password123"})");
  EXPECT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(Call(server.port(), "POST", "/api/v1/auth/register",
                 R"({"username":"after_outage","password":"password123"})")
                .status,
            200);
  EXPECT_TRUE(server.Stop());
  Shell("bash " + script + " stop " + dir + " 2>&1");
  Shell(std::string("rm -rf ") + tmpl);
}

}  // namespace
}  // namespace asobi::itest
